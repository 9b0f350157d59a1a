package io.lyre.tunnel;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Open;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one gRPC stream an agent's exchanges share, and the table of exchanges on it by id. The same class on both
 * ends: the proxy starts exchanges ({@link #open()}), the agent is told of them ({@code opener}).
 *
 * <p>Why one stream rather than one per exchange: a gRPC stream costs three HEADERS frames, its set-up and a pool of
 * ready streams to hide the round trip; on one stream a small request is one message each way. The price is that the
 * stream is always read at once (never paused), so each exchange keeps its own credit ({@link Exchange}) and a
 * slow reader still slows only its own exchange.
 */
public final class ExchangeMux {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeMux.class);

    private final Exchange.Side side;
    private final String peer;
    private final int maxFrameBytes;
    private final ReceiveBudget budget;
    private final BiConsumer<Open, Exchange> opener;
    private volatile CallStreamObserver<ExchangeFrame> out;
    private final Object writeLock = new Object();
    private boolean callClosed;
    private final Map<Long, Exchange> exchanges = new ConcurrentHashMap<>();
    private final AtomicLong lastId = new AtomicLong();
    private final Set<Exchange> awaitingReady = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<TunnelException> closed = new CompletableFuture<>();
    /** The proxy's transport thread of this stream's connection (its callbacks run there): see AgentConnection. */
    private volatile Thread loop;

    private ExchangeMux(Exchange.Side side, String peer, int maxFrameBytes, ReceiveBudget budget,
                        BiConsumer<Open, Exchange> opener) {
        this.side = side;
        this.peer = peer;
        this.maxFrameBytes = maxFrameBytes;
        this.budget = budget;
        this.opener = opener;
    }

    /** Proxy end: the agent's Exchanges call. Read the agent's frames through {@link #inbound()}. */
    static ExchangeMux onServerCall(ServerCallStreamObserver<ExchangeFrame> responses, String agentName, int maxFrameBytes,
                                    ReceiveBudget budget) {
        ExchangeMux mux = new ExchangeMux(Exchange.Side.PROXY, agentName, maxFrameBytes, budget, null);
        responses.disableAutoRequest();
        responses.setOnReadyThreshold(TunnelProtocol.ON_READY_THRESHOLD_BYTES);
        responses.setOnReadyHandler(mux::onReady);
        responses.setOnCancelHandler(() -> mux.lost(Status.CANCELLED.withDescription("stream cancelled by the agent or lost")));
        mux.out = responses;
        mux.loop = Thread.currentThread(); // the call starts on its connection's event loop (direct executor)
        responses.request(Integer.MAX_VALUE); // always read: each exchange's credit bounds what waits here
        return mux;
    }

    /**
     * Agent end: pass {@link #clientObserver()} to the stub's {@code exchanges(...)}; {@code opener} runs each Open.
     * What waits for stalled readers counts against the process's {@link ReceiveBudget}.
     */
    public static ExchangeMux forClient(String proxy, int maxFrameBytes, BiConsumer<Open, Exchange> opener) {
        return new ExchangeMux(Exchange.Side.AGENT, proxy, maxFrameBytes, ReceiveBudget.process(), opener);
    }

    public ClientResponseObserver<ExchangeFrame, ExchangeFrame> clientObserver() {
        StreamObserver<ExchangeFrame> in = inbound();
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ExchangeFrame> requests) {
                requests.disableAutoRequestWithInitial(Integer.MAX_VALUE);
                requests.setOnReadyHandler(ExchangeMux.this::onReady);
                out = requests;
            }

            @Override
            public void onNext(ExchangeFrame value) {
                in.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
                in.onError(t);
            }

            @Override
            public void onCompleted() {
                in.onCompleted();
            }
        };
    }

    StreamObserver<ExchangeFrame> inbound() {
        return new StreamObserver<>() {
            @Override
            public void onNext(ExchangeFrame f) {
                inboundFrame(f);
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                lost(s);
            }

            @Override
            public void onCompleted() {
                lost(Status.UNAVAILABLE.withDescription(side == Exchange.Side.PROXY
                        ? "the agent closed its exchange stream" : "the proxy closed the exchange stream"));
            }
        };
    }

    String peer() {
        return peer;
    }

    /** The thread this stream's transport callbacks run on (proxy side; null on the agent). */
    Thread loop() {
        return loop;
    }

    Exchange.Side side() {
        return side;
    }

    int maxFrameBytes() {
        return maxFrameBytes;
    }

    ReceiveBudget budget() {
        return budget;
    }

    /** Completes with the reason once the shared stream is over (every exchange on it failed with that reason). */
    public CompletableFuture<TunnelException> closed() {
        return closed;
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Exchanges still known on this stream (both ends not yet finished). */
    public int size() {
        return exchanges.size();
    }

    /** Proxy: a new exchange with a fresh id, registered before its Open goes out. */
    Exchange open() {
        TunnelException down = closed.getNow(null);
        if (down != null) {
            throw down;
        }
        Exchange ex = new Exchange(this, lastId.incrementAndGet());
        exchanges.put(ex.id(), ex);
        if (closed.isDone()) { // lost between the check and the put: it must not wait forever
            ex.fail(closed.join());
        }
        return ex;
    }

    // ---------------------------------------------------------------- sending (any thread)

    /** Hands one frame to gRPC; false when the stream is over. */
    boolean write(ExchangeFrame f) {
        synchronized (writeLock) {
            if (callClosed) {
                return false;
            }
            try {
                out.onNext(f);
                return true;
            } catch (RuntimeException e) {
                LOG.debug("write on the closed exchange stream with {}: {}", peer, e.toString());
                callClosed = true;
                return false;
            }
        }
    }

    /** False while gRPC holds more than {@link TunnelProtocol#ON_READY_THRESHOLD_BYTES} unsent. */
    boolean isReady() {
        CallStreamObserver<ExchangeFrame> o = out;
        return o == null || o.isReady() || closed.isDone();
    }

    /** Tells {@code ex} (once) when the stream can take more; at once when it already can. */
    void awaitReady(Exchange ex) {
        awaitingReady.add(ex);
        if (isReady() && awaitingReady.remove(ex)) {
            ex.streamReady();
        }
    }

    void remove(Exchange ex) {
        exchanges.remove(ex.id(), ex);
        awaitingReady.remove(ex);
    }

    /** Ends the stream and every exchange on it (agent gone, session closing). */
    public void close(TunnelException reason) {
        synchronized (writeLock) {
            if (!callClosed && out != null) {
                callClosed = true;
                try {
                    if (side == Exchange.Side.PROXY) {
                        out.onError(Status.UNAVAILABLE.withDescription(reason.getMessage()).asRuntimeException());
                    } else {
                        ((ClientCallStreamObserver<ExchangeFrame>) out).cancel(reason.getMessage(), null);
                    }
                } catch (IllegalStateException | StatusRuntimeException ignored) {
                    // already closed
                }
            }
        }
        failAll(reason);
    }

    // ---------------------------------------------------------------- transport callbacks

    private void onReady() {
        if (awaitingReady.isEmpty()) {
            return;
        }
        List<Exchange> waiting = new ArrayList<>(awaitingReady);
        for (Exchange ex : waiting) {
            if (awaitingReady.remove(ex)) {
                ex.streamReady();
            }
        }
    }

    private void inboundFrame(ExchangeFrame f) {
        long id = f.getId();
        Exchange ex = exchanges.get(id);
        int size = f.getSerializedSize();
        if (size > maxFrameBytes) {
            LOG.warn("exchange {} with {}: refused an oversized frame ({} bytes > limit {}); dropping this exchange only",
                    id, peer, size, maxFrameBytes);
            TunnelException e = new TunnelException(413, "oversized frame from " + peer + " (" + size + " bytes)");
            if (ex != null) {
                ex.abort(e);
            } else if (f.hasOpen()) {
                write(Frames.reset(id, 413, e.getMessage()));
            }
            return;
        }
        if (f.hasOpen()) {
            if (side == Exchange.Side.PROXY || ex != null || id <= 0) {
                LOG.warn("exchange stream with {}: refused an Open for exchange {} ({}); dropping that exchange", peer, id,
                        side == Exchange.Side.PROXY ? "only the proxy opens exchanges" : "id in use or invalid");
                if (ex != null) {
                    ex.abort(new TunnelException(400, "Open for exchange " + id + ", which is running"));
                } else {
                    write(Frames.reset(id, 400, "refused Open for exchange " + id));
                }
                return;
            }
            opened(f, id);
            return;
        }
        if (ex != null) {
            ex.received(f, size);
        }
        // else: sent before the other end learned this exchange ended (Reset, Cancel, both Ends): nothing to do
    }

    private void opened(ExchangeFrame f, long id) {
        Exchange ex = new Exchange(this, id);
        exchanges.put(id, ex);
        ex.countReceived(f.getSerializedSize());
        if (f.getLast()) {
            ex.openedAsLast();
        }
        try {
            opener.accept(f.getOpen(), ex);
        } catch (RuntimeException e) {
            LOG.warn("exchange handler failed", e);
            ex.sendLast(Frames.error(502, "agent failed to start the exchange: " + e.getMessage()));
        }
    }

    private void lost(Status s) {
        if (closed.isDone()) {
            return;
        }
        synchronized (writeLock) {
            if (!callClosed) {
                callClosed = true;
                if (side == Exchange.Side.PROXY && s.getCode() != Status.Code.CANCELLED) {
                    try {
                        out.onCompleted(); // the agent ended its side: end ours
                    } catch (RuntimeException ignored) {
                        // already closed
                    }
                }
            }
        }
        String who = side == Exchange.Side.PROXY ? "agent " + peer : "proxy " + peer;
        failAll(new TunnelException(502, "tunnel stream to " + who + " failed: " + s.getCode()
                + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")"), s.getCause()));
    }

    private void failAll(TunnelException reason) {
        if (!closed.complete(reason)) {
            return;
        }
        for (Exchange ex : List.copyOf(exchanges.values())) {
            ex.fail(reason);
        }
        exchanges.clear();
        awaitingReady.clear();
    }
}
