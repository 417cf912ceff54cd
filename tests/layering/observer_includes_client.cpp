// Compiled against mqttscope_observer alone, this must fail: the observer sees packets, never a connection.
#include "client/connection.h"
#include "observer/connection_observer.h"
