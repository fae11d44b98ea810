#include "lanes_support.h"
