// Compiled against mqttscope_session alone, this compiles: the session layer links protocol.
#include "protocol/decoder.h"
#include "session/session.h"
