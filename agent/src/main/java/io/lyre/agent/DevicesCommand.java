package io.lyre.agent;

import io.lyre.devices.HostInventory;
import io.lyre.devices.InventoryScan;
import io.lyre.devices.ProbeContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code agent devices [--json]}: the host's inventory. A failing probe is a status line, never a stack
 * trace, and never changes the exit code: the command answers 0 unless its command line is wrong.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List this host's CPUs, GPUs and FPGAs, and what each probe found.")
public final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the inventory as JSON.")
    boolean json;

    @Option(names = "--sysfs-root", paramLabel = "DIR", defaultValue = "/sys",
            description = "Where sysfs is mounted (default: ${DEFAULT-VALUE}); point it at a copy to inspect another host's tree.")
    Path sysfsRoot;

    @Option(names = "--dev-root", paramLabel = "DIR", defaultValue = "/dev",
            description = "Where device nodes live (default: ${DEFAULT-VALUE}).")
    Path devRoot;

    @Override
    public Integer call() {
        HostInventory inventory = new InventoryScan().scan(new ProbeContext(sysfsRoot, devRoot));
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? InventoryJson.write(inventory) : InventoryTable.render(inventory));
        out.flush();
        return 0;
    }
}
