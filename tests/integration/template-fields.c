/* Prints the node template's fields, one a line, from the one table the
 * store and `validate` use (DR_TEMPLATE_FIELDS, core/model.h), for
 * tests/integration/fidelity.t, which needs a checker for each. */
#include "config.h"

#include <stdio.h>

#include "core/model.h"

int
main(void)
{
    for (size_t i = 0; template_field_keys[i]; i++)
        printf("%s\n", template_field_keys[i]);
    return 0;
}
