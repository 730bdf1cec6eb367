#include "sql/parser.h"
