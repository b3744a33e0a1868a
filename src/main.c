/* main.c: the rahtisim program.  All logic lives in librahtisim; this file
 * only reserves the heap in one step (rs_heap_reserve, a hint) and hands
 * the command line to the command table (src/cli/commands.c). */
#include "config.h"

#include "rahtisim/cli.h"
#include "rahtisim/util.h"

int
main(int argc, char **argv)
{
    rs_heap_reserve();
    return rs_cli_main(argc, argv);
}
