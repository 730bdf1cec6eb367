#include "sql/ast.h"
