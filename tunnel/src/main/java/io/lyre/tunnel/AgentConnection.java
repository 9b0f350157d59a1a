package io.lyre.tunnel;

import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Header;
import io.lyre.tunnel.proto.Hello;
import io.lyre.tunnel.proto.Open;
import io.lyre.tunnel.server.AgentRecord;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's handle on one connected agent: start exchanges through it.
 *
 * <p>Every {@code open...} method starts an exchange on the agent's shared stream ({@link ExchangeMux}): it installs
 * the listener, sends the opening frame and completes with the {@link Exchange}, at once; it fails with a
 * {@link TunnelException} (503) when the agent is gone, or has not opened its stream within the open timeout (only
 * just after it connected). Then, for an HTTP front (Vert.x):
 * <ul>
 *   <li>request body in: {@code exchange.sendData(chunk, false)} per chunk; when
 *       {@code exchange.writeQueueFull()}, {@code request.pause()} and {@code exchange.drainHandler(request::resume)};
 *       at the end {@code exchange.end()};</li>
 *   <li>response out: the listener gets a ResponseHead frame, then Data frames; when the HTTP response's
 *       write queue is full, {@code exchange.pause()} and resume it from the response's drain handler;</li>
 *   <li>an Error frame or {@code onClosed(error)} carries the status to answer (502/503/504/403);</li>
 *   <li>client went away: {@code exchange.cancel(reason)}: the agent closes its upstream connection.</li>
 * </ul>
 * {@link ExchangeReader} and {@link ExchangeOutputStream} give the same as blocking streams.
 */
public final class AgentConnection {

    private static final Logger LOG = LoggerFactory.getLogger(AgentConnection.class);

    private final AgentRecord agent;
    private final Hello hello;
    private final CompletableFuture<ExchangeMux> muxReady = new CompletableFuture<>();
    /** The agent's exchange streams, one per connection it opened (see Welcome.exchange_connections). */
    private volatile List<ExchangeMux> muxes = List.of(); // replaced whole on attach: readers index a stable list
    private final java.util.concurrent.atomic.AtomicInteger nextMux = new java.util.concurrent.atomic.AtomicInteger();
    private final Set<Exchange> active = ConcurrentHashMap.newKeySet();
    private final Duration openTimeout;
    private final ScheduledExecutorService timer;
    private final TunnelTraffic traffic;
    private volatile byte[] inventoryJson;
    private volatile boolean open = true;

    AgentConnection(AgentRecord agent, Hello hello, Duration openTimeout, ScheduledExecutorService timer) {
        this(agent, hello, openTimeout, timer, TunnelTraffic.NONE);
    }

    AgentConnection(AgentRecord agent, Hello hello, Duration openTimeout, ScheduledExecutorService timer,
                    TunnelTraffic traffic) {
        this.agent = agent;
        this.traffic = traffic;
        this.hello = hello;
        this.openTimeout = openTimeout;
        this.timer = timer;
        this.inventoryJson = hello.getInventoryJson().toByteArray();
    }

    public AgentRecord agent() {
        return agent;
    }

    /** What the agent said when it connected: versions, labels, Docker facts. */
    public Hello hello() {
        return hello;
    }

    /** The latest device inventory (JSON of io.lyre.devices.HostInventory). */
    public byte[] inventoryJson() {
        return inventoryJson.clone();
    }

    public boolean isOpen() {
        return open;
    }

    /** True once an exchange stream of the agent is up: exchanges start without waiting. */
    public boolean exchangesReady() {
        return open && exchangeStreams() > 0;
    }

    /** The agent's exchange streams that are up. */
    public int exchangeStreams() {
        return (int) muxes.stream().filter(m -> !m.isClosed()).count();
    }

    /** Exchanges on the agent's streams that have not finished at both ends (for tests and diagnostics). */
    public int exchangesOnStream() {
        return muxes.stream().mapToInt(ExchangeMux::size).sum();
    }

    /**
     * The stream for a new exchange (on the request path: no allocation): the one whose connection runs on the
     * caller's thread when there is one (the client's event loop: no hand-off to another loop and back), else the
     * others in turn; null when none is up.
     */
    private ExchangeMux pick() {
        Thread here = Thread.currentThread();
        List<ExchangeMux> all = muxes;
        for (ExchangeMux m : all) {
            if (m.loop() == here && !m.isClosed()) {
                return m;
            }
        }
        int n = all.size();
        int start = nextMux.getAndIncrement();
        for (int i = 0; i < n; i++) {
            ExchangeMux m = all.get(Math.floorMod(start + i, n));
            if (!m.isClosed()) {
                return m;
            }
        }
        return null;
    }

    public int activeExchanges() {
        return active.size();
    }

    /** Starts an exchange with any opening frame. */
    public CompletableFuture<Exchange> open(Open openFrame, ExchangeListener listener) {
        if (!open) {
            return CompletableFuture.failedFuture(new TunnelException(503, "agent " + agent.name() + " is not connected"));
        }
        ExchangeMux m = pick();
        if (m != null) {
            try {
                return CompletableFuture.completedFuture(start(m, openFrame, listener));
            } catch (TunnelException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        // just connected: the agent's exchange stream follows its welcome by a round trip
        CompletableFuture<ExchangeMux> ready = muxReady.copy();
        java.util.concurrent.ScheduledFuture<?> expiry = timer.schedule(() -> ready.completeExceptionally(new TunnelException(503,
                "agent " + agent.name() + " opened no exchange stream within " + openTimeout.toMillis() + " ms")),
                openTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        ready.whenComplete((mx, err) -> expiry.cancel(false));
        return ready.thenApply(mx -> start(mx, openFrame, listener));
    }

    private Exchange start(ExchangeMux m, Open openFrame, ExchangeListener listener) {
        Exchange ex = m.open();
        if (traffic != TunnelTraffic.NONE) {
            traffic.opened(agent, openFrame);
            ex.countBytes(traffic.bytes(agent, true), traffic.bytes(agent, false));
        }
        ex.listener(listener);
        active.add(ex);
        ex.onTermination(() -> active.remove(ex));
        ExchangeFrame frame = ExchangeFrame.newBuilder().setOpen(openFrame).build();
        // a request without a body (HTTP, Docker) is the proxy's whole part: its end rides in the Open
        boolean whole = !openFrame.getHasBody()
                && (openFrame.getKind() == Open.Kind.HTTP || openFrame.getKind() == Open.Kind.DOCKER);
        if (!(whole ? ex.sendLast(frame) : ex.send(frame))) {
            ex.abort(new TunnelException(502, "agent " + agent.name() + ": stream closed before the exchange opened"));
        }
        return ex;
    }

    /** An HTTP request to {@code host:port} on the agent's side; {@code hasBody} false: no Data frames will follow. */
    public CompletableFuture<Exchange> openHttp(String host, int port, String method, String pathAndQuery,
                                                List<Header> headers, boolean hasBody, ExchangeListener listener) {
        return open(Open.newBuilder().setKind(Open.Kind.HTTP).setHost(host).setPort(port).setMethod(method)
                .setPath(pathAndQuery).addAllHeaders(headers).setHasBody(hasBody).build(), listener);
    }

    /** A WebSocket upgrade to {@code host:port}; the agent answers a ResponseHead 101, then WsFrames both ways. */
    public CompletableFuture<Exchange> openWebSocket(String host, int port, String pathAndQuery, List<Header> headers,
                                                     ExchangeListener listener) {
        return open(Open.newBuilder().setKind(Open.Kind.WEBSOCKET).setHost(host).setPort(port).setMethod("GET")
                .setPath(pathAndQuery).addAllHeaders(headers).setHasBody(true).build(), listener);
    }

    /** A raw TCP stream to {@code host:port}; ResponseHead 200 once connected, then Data both ways. */
    public CompletableFuture<Exchange> openRaw(String host, int port, ExchangeListener listener) {
        return open(Open.newBuilder().setKind(Open.Kind.RAW).setHost(host).setPort(port).setHasBody(true).build(), listener);
    }

    /** A Docker Engine API request against the agent's local engine. */
    public CompletableFuture<Exchange> openDocker(String method, String pathAndQuery, List<Header> headers,
                                                  boolean hasBody, ExchangeListener listener) {
        return open(Open.newBuilder().setKind(Open.Kind.DOCKER).setMethod(method).setPath(pathAndQuery)
                .addAllHeaders(headers).setHasBody(hasBody).build(), listener);
    }

    // ---- used by the server

    /** One of the agent's Exchanges streams arrived; false (and the caller refuses it) when too many are up or we closed. */
    boolean attach(ExchangeMux m, int most) {
        synchronized (this) {
            List<ExchangeMux> up = new java.util.ArrayList<>(muxes);
            up.removeIf(ExchangeMux::isClosed);
            if (!open || up.size() >= most) {
                return false;
            }
            up.add(m);
            muxes = List.copyOf(up);
        }
        muxReady.complete(m);
        return true;
    }

    void updateInventory(byte[] json) {
        this.inventoryJson = json.clone();
    }

    void close(TunnelException reason) {
        open = false;
        muxReady.completeExceptionally(reason);
        for (ExchangeMux m : muxes) {
            m.close(reason); // fails every exchange on it
        }
    }
}
