// The unit tests' executable removes a stale MongoDB driver counters file before the driver's
// constructor runs (see connectors/mongodb/driver_preinit.h).
#include "connectors/mongodb/driver_preinit.h"
