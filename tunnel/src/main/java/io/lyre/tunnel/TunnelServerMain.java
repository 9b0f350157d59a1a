package io.lyre.tunnel;

import io.lyre.tunnel.server.AgentRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A stand-alone tunnel server and its admin commands over the proxy data dir, until the Quarkus proxy
 * hosts the server: {@code serve}, {@code token create}, {@code agents list}, {@code agents revoke <id>}.
 */
@Command(name = "lyre-tunnel", mixinStandardHelpOptions = true,
        description = "Lyre tunnel server and its admin commands.",
        subcommands = {TunnelServerMain.Serve.class, TunnelServerMain.Token.class, TunnelServerMain.Agents.class,
                CommandLine.HelpCommand.class})
public final class TunnelServerMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TunnelServerMain()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    static Path defaultDataDir() {
        String env = System.getenv("LYRE_PROXY_DATA_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".lyre", "proxy");
    }

    /** The data-dir option every command shares. */
    static final class DataDir {
        @Option(names = "--data-dir", description = "proxy data dir (default: $LYRE_PROXY_DATA_DIR or ~/.lyre/proxy)")
        Path dataDir;

        Path path() {
            return dataDir != null ? dataDir : defaultDataDir();
        }
    }

    @Command(name = "serve", description = "Runs the tunnel listener until stopped.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        DataDir dir = new DataDir();
        @Option(names = "--bind", defaultValue = "0.0.0.0")
        String bind;
        @Option(names = "--port", defaultValue = "8782")
        int port;
        @Option(names = "--hostname", description = "extra name for the server certificate (repeatable)")
        List<String> hostNames = List.of();
        @Option(names = "--lost-grace", defaultValue = "30", description = "seconds before a disconnected engine is LOST")
        int lostGraceSeconds;

        @Override
        public Integer call() throws Exception {
            TunnelServerConfig cfg = TunnelServerConfig.defaults(dir.path()).withBind(bind, port).withHostNames(hostNames)
                    .withLostGrace(Duration.ofSeconds(lostGraceSeconds));
            String count = System.getenv("HP_BLACKLIST_COUNT");
            String window = System.getenv("HP_BLACKLIST_WINDOW");
            if (count != null || window != null) {
                cfg = cfg.withBlacklist(count != null ? Integer.parseInt(count) : cfg.blacklistCount(),
                        window != null ? Duration.ofSeconds(Long.parseLong(window)) : cfg.blacklistWindow());
            }
            TunnelServer server = new TunnelServer(cfg).start();
            System.out.println("listening on " + bind + ":" + server.port());
            System.out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stop.countDown();
            }));
            stop.await();
            return 0;
        }
    }

    @Command(name = "token", description = "Join tokens.", subcommands = {Token.Create.class})
    static final class Token {
        @Command(name = "create", description = "Prints a new one-time join token.")
        static final class Create implements Callable<Integer> {
            @CommandLine.Mixin
            DataDir dir = new DataDir();
            @Option(names = "--ttl", defaultValue = "24h", description = "validity: 30m, 24h, 7d")
            String ttl;

            @Override
            public Integer call() throws Exception {
                try (TunnelServer server = new TunnelServer(TunnelServerConfig.defaults(dir.path()))) {
                    System.out.println(server.createJoinToken(parseDuration(ttl)));
                }
                return 0;
            }
        }
    }

    @Command(name = "agents", description = "Joined agents.", subcommands = {Agents.ListAgents.class, Agents.Revoke.class})
    static final class Agents {
        @Command(name = "list", description = "Lists joined agents.")
        static final class ListAgents implements Callable<Integer> {
            @CommandLine.Mixin
            DataDir dir = new DataDir();

            @Override
            public Integer call() {
                AgentRegistry reg = new AgentRegistry(dir.path().resolve("agents.json"));
                System.out.printf("%-16s %-20s %-6s %-8s %-24s %s%n", "ID", "NAME", "SLOT", "REVOKED", "LAST SEEN", "LABELS");
                for (AgentRegistry.AgentStatus s : reg.list()) {
                    var a = s.agent();
                    System.out.printf("%-16s %-20s %-6d %-8s %-24s %s%n", a.id(), a.name(), a.slot(), a.revoked(),
                            Instant.ofEpochMilli(a.lastSeenMillis()), a.labels());
                }
                return 0;
            }
        }

        @Command(name = "revoke", description = "Revokes an agent: its certificate is refused from its next call.")
        static final class Revoke implements Callable<Integer> {
            @CommandLine.Mixin
            DataDir dir = new DataDir();
            @Parameters(index = "0", description = "agent id")
            String id;

            @Override
            public Integer call() {
                if (new AgentRegistry(dir.path().resolve("agents.json")).revoke(id)) {
                    System.out.println("revoked " + id);
                    return 0;
                }
                System.err.println("no agent " + id);
                return 1;
            }
        }
    }

    static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase();
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("duration like 30m, 24h or 7d expected: " + s);
        };
    }
}
