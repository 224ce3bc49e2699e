/* denials.c - the error code of each denial reason (see denials.h). */
#include "denials.h"

const char *const denial_names[DENIAL_REASONS] = {"missing", "malformed", "unknown",
                                                  "expired", "disabled",  "store_unavailable",
                                                  "ip_not_allowed", "rate_limited", "too_many_invalid",
                                                  "rate_limit_unavailable", "scope"};
