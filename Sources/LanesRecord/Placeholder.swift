import LanesCore
