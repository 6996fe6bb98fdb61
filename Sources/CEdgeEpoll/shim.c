// SwiftPM wants a source file in a C target; everything lives in include/CEdgeEpoll.h.
#include "CEdgeEpoll.h"
