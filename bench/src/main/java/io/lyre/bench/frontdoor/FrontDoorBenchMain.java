package io.lyre.bench.frontdoor;

import io.lyre.bench.Args;
import io.lyre.bench.tunnel.TunnelFront;
import java.util.Arrays;

/**
 * Entry point of the front-door benchmark's processes (started by {@code bench/frontdoor-bench.sh}, never by a build):
 * <ul>
 *   <li>{@code nextcloud}: a Nextcloud stand-in serving HaRP's two call-backs ({@code exapp-meta}, {@code user-info},
 *       appapi.md §3) that counts and time-stamps every user-info call, exposed on {@code GET /bench/counts};</li>
 *   <li>{@code front}: the tunnel-only path, a Vert.x front forwarding every request through an in-process
 *       {@code TunnelServer} to its one agent, which relays to {@code --backend-host:--backend-port};</li>
 *   <li>{@code single-flight}: 1,000 concurrent requests with one fresh session cookie at the front door, then the
 *       same concurrency sustained over several cache lifetimes; reports the user-info calls they caused.</li>
 * </ul>
 */
public final class FrontDoorBenchMain {

    private FrontDoorBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: FrontDoorBenchMain nextcloud|front|single-flight --key=value ...");
            System.exit(2);
        }
        Args o = new Args(args, 1);
        switch (args[0]) {
            case "nextcloud" -> BenchNextcloud.run(o);
            case "front" -> TunnelFront.run(o); // the tunnel benchmark's front, on the container's address
            case "single-flight" -> SingleFlightClient.run(o);
            default -> {
                System.err.println("unknown command " + args[0] + " in " + Arrays.toString(args));
                System.exit(2);
            }
        }
    }
}
