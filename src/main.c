/* main.c: the rahtisim program.  All logic lives in librahtisim; this file
 * only hands the command line to the command table (src/cli/commands.c). */
#include "config.h"

#include "rahtisim/cli.h"

int
main(int argc, char **argv)
{
    return rs_cli_main(argc, argv);
}
