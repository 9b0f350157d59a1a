package io.lyre.tunnel;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.lyre.tunnel.proto.ExchangeFrame;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange: a bidirectional gRPC stream of {@link ExchangeFrame}s with flow control in both directions,
 * the same class on both ends.
 *
 * <p>Sending follows Vert.x's WriteStream: check {@link #writeQueueFull()} after a write and, when full,
 * stop producing until {@link #drainHandler(Runnable)} runs. gRPC buffers only what it already accepted
 * (about {@link TunnelProtocol#ON_READY_THRESHOLD_BYTES} plus the HTTP/2 window), so a producer that honours
 * this never buffers without bound.
 *
 * <p>Receiving follows Vert.x's ReadStream: frames go to the {@link ExchangeListener}; {@link #pause()}
 * stops delivery (and stops asking gRPC for more, which closes the HTTP/2 window of this stream only, so the
 * sender slows while other exchanges on the same connection go on), {@link #resume()} and {@link #fetch(long)}
 * restart it. At most {@value #PREFETCH} frames are requested ahead.
 *
 * <p>Ending: {@link #complete()} says "I send nothing more". The agent's half-close reaches the proxy at
 * once; the proxy's side closes the gRPC call when both ends have completed. {@link #cancel(String)} ends the
 * exchange at once from either side.
 */
public final class Exchange {

    /** Which end of the tunnel this object lives on. */
    public enum Side { PROXY, AGENT }

    /** Frames asked ahead of the listener: 16 x 64 KiB chunks, about gRPC's 1 MiB HTTP/2 stream window. */
    static final int PREFETCH = 16;
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final Object END = new Object();

    private final Side side;
    private final String peer;
    private final int maxFrameBytes;
    private volatile CallStreamObserver<ExchangeFrame> out;

    private final Object lock = new Object();
    private final ArrayDeque<ExchangeFrame> pending = new ArrayDeque<>();
    private ExchangeListener listener;
    private long demand = Long.MAX_VALUE;
    private int outstanding;
    private boolean draining;
    private boolean missed;
    private boolean remoteEnded;
    private TunnelException failure;
    private boolean closeDelivered;
    private Object terminal;
    private Runnable drainHandler;

    private final Object sendLock = new Object();
    private boolean localCompleted;
    private boolean callClosed;
    private final List<Runnable> terminationHooks = new CopyOnWriteArrayList<>();
    private volatile LongConsumer sentBytes;
    private volatile LongConsumer receivedBytes;

    private Exchange(Side side, String peer, int maxFrameBytes) {
        this.side = side;
        this.peer = peer;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Proxy end: wraps the server call's response observer; returns the exchange and its inbound observer. */
    public static Exchange onServerCall(ServerCallStreamObserver<ExchangeFrame> responses, String peer, int maxFrameBytes) {
        Exchange ex = new Exchange(Side.PROXY, peer, maxFrameBytes);
        responses.disableAutoRequest();
        responses.setOnReadyThreshold(TunnelProtocol.ON_READY_THRESHOLD_BYTES);
        responses.setOnReadyHandler(ex::onReady);
        responses.setOnCancelHandler(() -> ex.inboundFailed(Status.CANCELLED.withDescription("stream cancelled by the agent or lost").asRuntimeException()));
        ex.out = responses;
        return ex;
    }

    /** Agent end: the observer to pass to the stub's {@code exchange(...)} call; the exchange exists once the call started. */
    public static Exchange forClientCall(String peer, int maxFrameBytes) {
        return new Exchange(Side.AGENT, peer, maxFrameBytes);
    }

    /** The gRPC-side observer for this exchange's inbound frames. */
    public StreamObserver<ExchangeFrame> inbound() {
        return new StreamObserver<>() {
            @Override
            public void onNext(ExchangeFrame f) {
                inboundFrame(f);
            }

            @Override
            public void onError(Throwable t) {
                inboundFailed(t);
            }

            @Override
            public void onCompleted() {
                inboundCompleted();
            }
        };
    }

    /** For the agent: the response observer to give to {@code TunnelStub.exchange(...)}. */
    public ClientResponseObserver<ExchangeFrame, ExchangeFrame> clientObserver() {
        StreamObserver<ExchangeFrame> in = inbound();
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<ExchangeFrame> requests) {
                requests.disableAutoRequestWithInitial(0);
                requests.setOnReadyHandler(Exchange.this::onReady);
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

    public Side side() {
        return side;
    }

    /** Counts the serialized size of every frame sent and received from now on (metrics). */
    public void countBytes(LongConsumer sent, LongConsumer received) {
        this.sentBytes = sent;
        this.receivedBytes = received;
    }

    /** The agent's name (on the proxy) or the proxy's address (on the agent): for messages. */
    public String peer() {
        return peer;
    }

    // ---------------------------------------------------------------- receiving

    /** Sets who receives frames; frames that arrived before are delivered now (if not paused). */
    public Exchange listener(ExchangeListener l) {
        Object lateTerminal = null;
        l.attached(this);
        synchronized (lock) {
            listener = l;
            if (closeDelivered) {
                lateTerminal = terminal; // it closed before this listener came: tell it too
            }
        }
        if (lateTerminal != null) {
            l.onClosed(lateTerminal == END ? null : (TunnelException) lateTerminal);
            return this;
        }
        drain();
        requestMore();
        return this;
    }

    /** Stops frame delivery until {@link #resume()} or {@link #fetch(long)}. */
    public Exchange pause() {
        synchronized (lock) {
            demand = 0;
        }
        return this;
    }

    /** Delivers frames as they come. */
    public Exchange resume() {
        synchronized (lock) {
            demand = Long.MAX_VALUE;
        }
        drain();
        requestMore();
        return this;
    }

    /** Allows {@code n} more frames while paused. */
    public Exchange fetch(long n) {
        synchronized (lock) {
            if (demand != Long.MAX_VALUE) {
                demand = Math.min(Long.MAX_VALUE - 1, demand + n);
            }
        }
        drain();
        requestMore();
        return this;
    }

    // ---------------------------------------------------------------- sending

    /** Sends one frame; false when the stream is already closed (the frame is dropped). Thread-safe. */
    public boolean send(ExchangeFrame frame) {
        synchronized (sendLock) {
            if (callClosed || localCompleted || out == null) {
                return false;
            }
            try {
                out.onNext(frame);
                LongConsumer counter = sentBytes;
                if (counter != null) {
                    counter.accept(frame.getSerializedSize());
                }
                return true;
            } catch (RuntimeException e) {
                LOG.debug("send on closed exchange with {}: {}", peer, e.toString());
                callClosed = true;
                return false;
            }
        }
    }

    /** Sends body bytes, split into chunks of at most {@link TunnelProtocol#MAX_CHUNK_BYTES}. */
    public boolean sendData(ByteString bytes, boolean endOfStream) {
        int size = bytes.size();
        if (size <= TunnelProtocol.MAX_CHUNK_BYTES) {
            return send(Frames.data(bytes, endOfStream));
        }
        for (int off = 0; off < size; off += TunnelProtocol.MAX_CHUNK_BYTES) {
            int end = Math.min(size, off + TunnelProtocol.MAX_CHUNK_BYTES);
            if (!send(Frames.data(bytes.substring(off, end), endOfStream && end == size))) {
                return false;
            }
        }
        return true;
    }

    /** Data(end_of_stream) and then {@link #complete()}. */
    public void end() {
        send(Frames.end());
        complete();
    }

    /** True when the stream will not take more without buffering: stop writing until the drain handler runs. */
    public boolean writeQueueFull() {
        CallStreamObserver<ExchangeFrame> o = out;
        return o != null && !o.isReady() && !isClosed();
    }

    /** Runs {@code r} once, when the stream can take more (at once if it already can). */
    public Exchange drainHandler(Runnable r) {
        synchronized (lock) {
            drainHandler = r;
        }
        CallStreamObserver<ExchangeFrame> o = out;
        if (o == null || o.isReady() || isClosed()) {
            onReady();
        }
        return this;
    }

    /** This end sends nothing more (see the class comment for when the call closes). Idempotent. */
    public void complete() {
        boolean closeNow = false;
        synchronized (sendLock) {
            if (localCompleted || callClosed) {
                return;
            }
            localCompleted = true;
            if (side == Side.AGENT) {
                closeNow = true;
            } else {
                synchronized (lock) {
                    closeNow = remoteEnded;
                }
            }
            if (closeNow) {
                closeCall(null);
            }
        }
    }

    /** Ends the exchange now: a Cancel frame tells the other end why, then the stream closes. */
    public void cancel(String reason) {
        synchronized (sendLock) {
            if (!callClosed && !localCompleted && out != null) {
                try {
                    out.onNext(Frames.cancel(reason));
                } catch (RuntimeException ignored) {
                    // already gone: nothing to tell
                }
            }
            closeCall(Status.CANCELLED.withDescription(reason));
        }
        fail(new TunnelException(499, "cancelled here: " + reason));
    }

    /** Fails the exchange now for a local reason (oversized frame, agent lost): both ends see it end. */
    public void abort(TunnelException e) {
        synchronized (sendLock) {
            closeCall(side == Side.PROXY && e.httpStatus() == 413
                    ? Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage())
                    : Status.UNAVAILABLE.withDescription(e.getMessage()));
        }
        fail(e);
    }

    /** True once the exchange ended (normally or not) from this end's view. */
    public boolean isClosed() {
        synchronized (lock) {
            return closeDelivered || failure != null;
        }
    }

    /** Runs {@code r} once when the listener has been told the exchange closed. */
    public void onTermination(Runnable r) {
        terminationHooks.add(r);
        if (isClosedDelivered()) {
            r.run();
        }
    }

    private boolean isClosedDelivered() {
        synchronized (lock) {
            return closeDelivered;
        }
    }

    // ---------------------------------------------------------------- transport callbacks

    private void onReady() {
        Runnable h;
        synchronized (lock) {
            h = drainHandler;
            drainHandler = null;
        }
        if (h != null) {
            h.run();
        }
    }

    private void inboundFrame(ExchangeFrame f) {
        int size = f.getSerializedSize();
        if (size > maxFrameBytes) {
            LOG.warn("exchange with {}: refused an oversized frame ({} bytes > limit {}); dropping this stream only",
                    peer, size, maxFrameBytes);
            abort(new TunnelException(413, "oversized frame from " + peer + " (" + size + " bytes)"));
            return;
        }
        LongConsumer counter = receivedBytes;
        if (counter != null) {
            counter.accept(size);
        }
        synchronized (lock) {
            if (outstanding > 0) {
                outstanding--;
            }
            if (closeDelivered || failure != null) {
                return;
            }
            if (f.hasResponseHead() && f.getResponseHead().hasBody()) {
                // head and body came as one message: listeners see them as two frames, as always
                pending.addLast(ExchangeFrame.newBuilder().setResponseHead(f.getResponseHead().toBuilder().clearBody()).build());
                pending.addLast(ExchangeFrame.newBuilder().setData(f.getResponseHead().getBody()).build());
            } else {
                pending.addLast(f);
            }
        }
        drain();
        requestMore();
    }

    private void inboundCompleted() {
        boolean closeNow;
        synchronized (lock) {
            remoteEnded = true;
        }
        if (side == Side.PROXY) {
            synchronized (sendLock) {
                closeNow = localCompleted && !callClosed;
                if (closeNow) {
                    closeCall(null);
                }
            }
        } else {
            synchronized (sendLock) {
                callClosed = true; // the proxy closed the call: nothing more can be sent
            }
        }
        drain();
    }

    private void inboundFailed(Throwable t) {
        synchronized (sendLock) {
            callClosed = true;
        }
        Status s = Status.fromThrowable(t);
        String who = side == Side.PROXY ? "agent " + peer : "proxy " + peer;
        fail(new TunnelException(502, "tunnel stream to " + who + " failed: " + s.getCode()
                + (s.getDescription() == null ? "" : " (" + s.getDescription() + ")"), t));
    }

    private void fail(TunnelException e) {
        synchronized (lock) {
            if (closeDelivered || failure != null) {
                return;
            }
            failure = e;
            pending.clear();
        }
        drain();
    }

    /** Closes the gRPC call (server: complete or fail it; client: half-close or cancel). Holds sendLock. */
    private void closeCall(Status error) {
        if (callClosed || out == null) {
            callClosed = true;
            return;
        }
        try {
            if (side == Side.PROXY) {
                callClosed = true;
                if (error == null || error.getCode() == Status.Code.CANCELLED) {
                    out.onCompleted(); // the Cancel frame already told the agent why
                } else {
                    out.onError(error.asRuntimeException());
                }
            } else if (error == null) {
                localCompleted = true;
                out.onCompleted(); // half-close: the proxy may still send
            } else {
                callClosed = true;
                ((ClientCallStreamObserver<ExchangeFrame>) out).cancel(error.getDescription(), null);
            }
        } catch (IllegalStateException | StatusRuntimeException e) {
            callClosed = true;
        }
    }

    // ---------------------------------------------------------------- delivery

    private void drain() {
        synchronized (lock) {
            if (draining) {
                missed = true;
                return;
            }
            draining = true;
        }
        for (;;) {
            Object item;
            ExchangeListener l;
            synchronized (lock) {
                item = next();
                if (item == null) {
                    if (missed) {
                        missed = false;
                        continue;
                    }
                    draining = false;
                    break;
                }
                l = listener;
            }
            deliver(l, item);
        }
    }

    /** Under lock: the next thing to deliver, or null. */
    private Object next() {
        if (listener == null || closeDelivered) {
            return null;
        }
        if (failure != null) {
            closeDelivered = true;
            terminal = failure;
            return failure;
        }
        if (!pending.isEmpty() && demand > 0) {
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            return pending.pollFirst();
        }
        if (pending.isEmpty() && remoteEnded) {
            closeDelivered = true;
            terminal = END;
            return END;
        }
        return null;
    }

    private void deliver(ExchangeListener l, Object item) {
        try {
            if (item instanceof ExchangeFrame f) {
                l.onFrame(f);
                return;
            }
            l.onClosed(item == END ? null : (TunnelException) item);
        } catch (RuntimeException e) {
            LOG.warn("exchange with {}: listener failed; dropping the stream", peer, e);
            if (item instanceof ExchangeFrame) {
                abort(new TunnelException(502, "internal error handling exchange: " + e));
                return;
            }
        }
        for (Runnable r : terminationHooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("termination hook failed", e);
            }
        }
    }

    private void requestMore() {
        int n;
        CallStreamObserver<ExchangeFrame> o = out;
        synchronized (lock) {
            if (o == null || listener == null || closeDelivered || failure != null || remoteEnded) {
                return;
            }
            long want = Math.min(demand, PREFETCH);
            n = (int) Math.max(0, want - outstanding - pending.size());
            outstanding += n;
        }
        if (n > 0) {
            try {
                o.request(n);
            } catch (RuntimeException e) {
                LOG.debug("request on closed stream: {}", e.toString());
            }
        }
    }
}
