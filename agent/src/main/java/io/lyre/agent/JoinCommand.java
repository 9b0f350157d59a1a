package io.lyre.agent;

import io.lyre.tunnel.client.AgentCredentials;
import io.lyre.tunnel.client.JoinClient;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code agent join <proxy-address> <token>}: one-time enrolment with a proxy; exit 0 joined, 1 refused. */
@Command(name = "join", mixinStandardHelpOptions = true,
        description = "Join a Lyre proxy with a one-time token; stores this agent's key and certificate.")
public final class JoinCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROXY", description = "the proxy's tunnel address, host[:port] (port 8782 by default)")
    String proxy;

    @Parameters(index = "1", paramLabel = "TOKEN", description = "join token from 'token create' on the proxy")
    String token;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "default: $LYRE_DATA_DIR or ~/.lyre/agent")
    Path dataDir;

    @Option(names = "--name", description = "this engine's name (default: the host name)")
    String name;

    @Option(names = "--label", paramLabel = "K=V", description = "a label for placement (repeatable), e.g. zone=basement")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--slot", description = "engine slot 24001-24099 to ask for (default: the lowest free one)")
    int slot;

    @Override
    public Integer call() {
        Path dir = AgentDataDir.resolve(dataDir);
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        if (AgentCredentials.exist(dir)) {
            err.println("this data dir already holds a joined agent: " + dir + " (remove it to join again)");
            return 1;
        }
        try {
            AgentCredentials c = JoinClient.join(proxy, token, name != null ? name : hostName(), labels, slot, dir);
            out.println("joined " + c.identity().proxyAddress() + " as agent " + c.identity().agentId()
                    + " (slot " + c.identity().slot() + "); credentials in " + dir);
            return 0;
        } catch (Exception e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "agent";
        }
    }
}
