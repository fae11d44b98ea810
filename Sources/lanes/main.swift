print("lanes")
