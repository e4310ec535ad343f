#include "client/exit_codes.h"
