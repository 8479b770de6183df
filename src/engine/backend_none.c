/* Until the vSphere client and SSH layer are linked in, the engine can start
 * (observer, read-only, unit tests with their own backend) but cannot
 * provision: this says so clearly. Replaced by backend_vs.c. */
#include "config.h"

#include "core/i18n.h"
#include "engine/backend.h"

enum dr_err
backend_vs_new(struct eng_backend *b, struct dr_error *e)
{
    b->ops = NULL;
    b->ctx = NULL;
    return dr_error_set(e, DR_E_INTERNAL, _("this drover was built without its vSphere backend"));
}
