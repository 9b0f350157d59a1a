package io.lyre.bench.tunnel;

import io.lyre.bench.Args;

import java.util.Arrays;

/**
 * Entry point of the tunnel benchmark's processes (started by {@code bench/tunnel-bench.sh}, never by a build):
 * <ul>
 *   <li>{@code backend}: HTTP server (small fixed response, {@code /bulk?mib=N}, {@code POST /upload}) and
 *       WebSocket echo on {@code /ws};</li>
 *   <li>{@code front}: a Vert.x HTTP/WebSocket server forwarding everything through an in-process
 *       {@code TunnelServer} to the one agent connected to it;</li>
 *   <li>{@code bulk}: download/upload MB/s; {@code ws-echo}: WebSocket echo messages/s;
 *       {@code ws-idle}: opens N idle WebSockets and holds them.</li>
 * </ul>
 */
public final class TunnelBenchMain {

    private TunnelBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: TunnelBenchMain backend|front|bulk|ws-echo|ws-idle --key=value ...");
            System.exit(2);
        }
        Args a = new Args(args, 1);
        switch (args[0]) {
            case "backend" -> Backend.run(a);
            case "front" -> TunnelFront.run(a);
            case "bulk" -> BulkClient.run(a);
            case "ws-echo" -> WsEchoLoad.run(a);
            case "ws-idle" -> WsIdle.run(a);
            default -> {
                System.err.println("unknown command " + args[0] + " in " + Arrays.toString(args));
                System.exit(2);
            }
        }
    }
}
