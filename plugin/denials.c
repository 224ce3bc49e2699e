/* denials.c - the error code of each denial reason (see denials.h). */
#include "denials.h"

const char *const denial_names[DENIAL_REASONS] = {"missing", "malformed", "unknown",
                                                  "expired", "disabled",  "store_unavailable"};
