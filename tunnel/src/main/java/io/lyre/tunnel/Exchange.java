package io.lyre.tunnel;

import com.google.protobuf.ByteString;
import io.lyre.tunnel.proto.Data;
import io.lyre.tunnel.proto.End;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Window;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exchange: a two-way run of {@link ExchangeFrame}s with its own id on the agent's shared stream
 * ({@link ExchangeMux}), with flow control in both directions; the same class on both ends.
 *
 * <p>Sending follows Vert.x's WriteStream: check {@link #writeQueueFull()} after a write and, when full, stop producing
 * until {@link #drainHandler(Runnable)} runs. It is full while this exchange has no credit left (the other end has
 * not handed on what it got: {@link TunnelProtocol#WINDOW_BYTES} per exchange) or while the shared stream holds too
 * much unsent. Frames sent while out of credit wait here, in order, so a producer that honours this buffers one
 * write at most.
 *
 * <p>Receiving follows Vert.x's ReadStream: frames go to the {@link ExchangeListener}; {@link #pause()} stops delivery
 * and so stops granting credit, which stops the sender of this exchange only; {@link #resume()} and
 * {@link #fetch(long)} restart it.
 *
 * <p>Ending: {@link #complete()} says "I send nothing more" (an End frame, or {@link #sendLast} folds it into the
 * last frame); the exchange is over when both ends said so. The proxy's listener hears of the agent's end at once;
 * the agent's hears of the proxy's end only once the agent is done too, so that a later Cancel still reaches it. {@link #cancel(String)} ends it at once from either side; {@link #abort(TunnelException)} drops it for a local
 * reason and tells the other end why.
 */
public final class Exchange {

    /** Which end of the tunnel this object lives on. */
    public enum Side { PROXY, AGENT }

    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final Object END = new Object();
    /** Credit is granted back once this much was handed on: a Window frame per quarter window, not per frame. */
    private static final int GRANT_BYTES = TunnelProtocol.WINDOW_BYTES / 4;
    /** What each exchange may hold for its reader whatever the {@link ReceiveBudget} says: a quarter window. */
    static final int FREE_HOLD_BYTES = TunnelProtocol.WINDOW_BYTES / 4;
    /** A reader that took a frame this recently keeps up, however slowly: never dropped for the budget. */
    private static final long KEEPING_UP_NANOS = 1_000_000_000L;

    private final ExchangeMux mux;
    private final long id;

    private final Object lock = new Object();
    // receiving
    private final ArrayDeque<ExchangeFrame> pending = new ArrayDeque<>();
    private ExchangeListener listener;
    private long demand = Long.MAX_VALUE;
    private boolean draining;
    private boolean missed;
    private boolean remoteEnded;
    private TunnelException remoteEndError;
    private TunnelException failure;
    private boolean closeDelivered;
    private Object terminal;
    private long receivedUngranted;
    private long handedOnUngranted;
    /** Payload bytes in {@code pending}; what is past {@link #FREE_HOLD_BYTES} is held in the mux's {@link ReceiveBudget}. */
    private long held;
    /** When the listener last took a frame with payload (System.nanoTime), 0 before it took any. */
    private long lastTakenNanos;
    // sending
    private long credit = TunnelProtocol.WINDOW_BYTES;
    private final ArrayDeque<ExchangeFrame> blocked = new ArrayDeque<>();
    private boolean localEnded;
    private boolean sendClosed;
    private Runnable drainHandler;

    private final List<Runnable> terminationHooks = new CopyOnWriteArrayList<>();
    private volatile LongConsumer sentBytes;
    private volatile LongConsumer receivedBytes;

    Exchange(ExchangeMux mux, long id) {
        this.mux = mux;
        this.id = id;
    }

    /** This exchange's id on its agent's stream (for logs). */
    public long id() {
        return id;
    }

    public Side side() {
        return mux.side();
    }

    ExchangeMux mux() {
        return mux;
    }

    /** Counts the serialized size of every frame sent and received from now on (metrics). */
    public void countBytes(LongConsumer sent, LongConsumer received) {
        this.sentBytes = sent;
        this.receivedBytes = received;
    }

    /** The agent's name (on the proxy) or the proxy's address (on the agent): for messages. */
    public String peer() {
        return mux.peer();
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
        return this;
    }

    // ---------------------------------------------------------------- sending

    /** Sends one frame; false when this end can send no more (the frame is dropped). Thread-safe. */
    public boolean send(ExchangeFrame frame) {
        return enqueue(frame.toBuilder().setId(id).build());
    }

    /** Sends body bytes, split into chunks of at most {@link TunnelProtocol#MAX_CHUNK_BYTES}. */
    public boolean sendData(ByteString bytes, boolean endOfStream) {
        int size = bytes.size();
        for (int off = 0; ; off += TunnelProtocol.MAX_CHUNK_BYTES) {
            int end = Math.min(size, off + TunnelProtocol.MAX_CHUNK_BYTES);
            ByteString chunk = off == 0 && end == size ? bytes : bytes.substring(off, end);
            ExchangeFrame f = ExchangeFrame.newBuilder().setId(id)
                    .setData(Data.newBuilder().setPayload(chunk).setEndOfStream(endOfStream && end == size)).build();
            if (!enqueue(f)) {
                return false;
            }
            if (end == size) {
                return true;
            }
        }
    }

    /**
     * Sends one frame and says, in the same message, that this end sends nothing more (as {@link #send} then
     * {@link #complete()}, one message fewer: a small exchange is one message each way).
     */
    public boolean sendLast(ExchangeFrame frame) {
        boolean sent;
        boolean over;
        synchronized (lock) {
            if (localEnded || sendClosed) {
                return false;
            }
            localEnded = true;
            sent = enqueueLocked(frame.toBuilder().setId(id).setLast(true).build());
            over = isFinishedLocked();
        }
        forgetIfFinished(over);
        drain();
        return sent;
    }

    /** Data(end_of_stream), with this end's end in the same message. */
    public void end() {
        sendLast(Frames.end());
    }

    /** True when this exchange will not take more without buffering: stop writing until the drain handler runs. */
    public boolean writeQueueFull() {
        synchronized (lock) {
            return !sendClosed && !localEnded && !canWriteLocked();
        }
    }

    /** Runs {@code r} once, when the exchange can take more (at once if it already can, or if it is over). */
    public Exchange drainHandler(Runnable r) {
        boolean now;
        boolean waitForStream = false;
        synchronized (lock) {
            now = sendClosed || localEnded || canWriteLocked();
            if (!now) {
                drainHandler = r;
                waitForStream = hasCreditLocked();
            }
        }
        if (now) {
            r.run();
        } else if (waitForStream) {
            mux.awaitReady(this);
        }
        return this;
    }

    /** This end sends nothing more; the exchange is over once the other end says the same. Idempotent. */
    public void complete() {
        boolean over;
        synchronized (lock) {
            if (localEnded || sendClosed) {
                return;
            }
            localEnded = true;
            enqueueLocked(ExchangeFrame.newBuilder().setId(id).setEnd(End.getDefaultInstance()).build());
            over = isFinishedLocked();
        }
        forgetIfFinished(over);
        drain(); // the agent's listener may now hear of the end
    }

    /** Ends the exchange now: a Cancel frame tells the other end why. */
    public void cancel(String reason) {
        stopSending(Frames.cancel(reason).toBuilder().setId(id).build());
        fail(new TunnelException(499, "cancelled here: " + reason));
    }

    /** Fails the exchange now for a local reason (oversized frame, agent lost): the other end is told (Reset). */
    public void abort(TunnelException e) {
        stopSending(Frames.reset(id, e.httpStatus(), e.getMessage()));
        fail(e);
    }

    /**
     * True once the exchange is over here: it failed or was cancelled, or both ends ended and the listener heard of
     * it. The other end's half-close alone does not close it: this end may still send.
     */
    public boolean isClosed() {
        synchronized (lock) {
            return failure != null || closeDelivered && (localEnded || sendClosed);
        }
    }

    /** Runs {@code r} once when the listener has been told the exchange closed. */
    public void onTermination(Runnable r) {
        terminationHooks.add(r);
        boolean delivered;
        synchronized (lock) {
            delivered = closeDelivered;
        }
        if (delivered) {
            r.run();
        }
    }

    // ---------------------------------------------------------------- from the mux

    /** A frame of this exchange from the other end (the stream's thread); {@code size} is its serialized size. */
    void received(ExchangeFrame f, int size) {
        countReceived(size);
        switch (f.getFrameCase()) {
            case WINDOW -> {
                granted(f.getWindow().getBytes());
                return;
            }
            case END -> {
                boolean over;
                synchronized (lock) {
                    remoteEnded = true;
                    over = isFinishedLocked();
                }
                forgetIfFinished(over);
                drain();
                return;
            }
            case RESET -> {
                int status = f.getReset().getStatus() == 0 ? 502 : f.getReset().getStatus();
                fail(new TunnelException(status, (side() == Side.PROXY ? "agent " : "proxy ") + peer()
                        + " dropped the exchange: " + f.getReset().getMessage()));
                return;
            }
            case CANCEL -> {
                // the Cancel frame itself reaches the listener (it says why), then the close
                synchronized (lock) {
                    if (closeDelivered || failure != null) {
                        return;
                    }
                    pending.addLast(f);
                    remoteEnded = true;
                    remoteEndError = new TunnelException(502, "cancelled by the other end: " + f.getCancel().getReason());
                }
                stopSending(null);
                drain();
                return;
            }
            default -> { }
        }
        int cost = flowBytes(f);
        boolean violated = false;
        boolean overBudget = false;
        boolean over = false;
        synchronized (lock) {
            if (closeDelivered || failure != null || remoteEnded) {
                return; // after its end: a confused peer, nothing to deliver it to
            }
            receivedUngranted += cost;
            // a sender may spend its last credit on one whole frame, so one frame over the window is fair
            if (receivedUngranted > TunnelProtocol.WINDOW_BYTES + (long) mux.maxFrameBytes()) {
                violated = true;
            } else if (cost > 0 && !holdLocked(cost)) {
                overBudget = true;
            } else {
                if (f.getLast()) {
                    remoteEnded = true;
                    over = isFinishedLocked();
                }
                if (f.hasResponseHead() && f.getResponseHead().hasBody()) {
                    // head and body came as one message: listeners see them as two frames, as always
                    pending.addLast(ExchangeFrame.newBuilder().setId(id)
                            .setResponseHead(f.getResponseHead().toBuilder().clearBody()).build());
                    pending.addLast(ExchangeFrame.newBuilder().setId(id).setData(f.getResponseHead().getBody()).build());
                } else {
                    pending.addLast(f);
                }
            }
        }
        forgetIfFinished(over);
        if (violated) {
            LOG.warn("exchange {} with {}: the peer sent past its flow-control window; dropping this exchange", id, peer());
            abort(new TunnelException(502, peer() + " sent past the flow-control window of exchange " + id));
            return;
        }
        if (overBudget) {
            ReceiveBudget budget = mux.budget();
            budget.dropped();
            LOG.warn("exchange {} with {}: its reader is stalled and the {} MiB receive budget is spent ({} MiB held); "
                    + "dropping this exchange", id, peer(), budget.limit() >> 20, budget.held() >> 20);
            abort(new TunnelException(503, "dropped: its reader stalled while stalled exchanges already hold the "
                    + (budget.limit() >> 20) + " MiB receive budget of the " + (side() == Side.PROXY ? "proxy" : "agent")));
            return;
        }
        drain();
    }

    /**
     * Under lock: holds {@code cost} bytes about to be queued. Within its quarter window ({@link #FREE_HOLD_BYTES}) an
     * exchange holds them on its own, so a small response never touches the shared budget. Past it, an exchange whose
     * reader has taken nothing for a second is stalled and gets more only within the budget; a reader that keeps up,
     * however slowly, always gets its frames (its window bounds what it holds), and they count in the budget too.
     */
    private boolean holdLocked(int cost) {
        long past = pastFree(held + cost) - pastFree(held);
        if (past > 0) {
            boolean stalled = lastTakenNanos == 0 || System.nanoTime() - lastTakenNanos > KEEPING_UP_NANOS;
            if (!stalled) {
                mux.budget().hold(past);
            } else if (!mux.budget().tryHold(past)) {
                return false;
            }
        }
        held += cost;
        return true;
    }

    /** Under lock: gives back {@code cost} bytes the listener took (or that were dropped). */
    private void releaseLocked(long cost) {
        long past = pastFree(held) - pastFree(held - cost);
        held -= cost;
        if (past > 0) {
            mux.budget().release(past);
        }
    }

    private static long pastFree(long bytes) {
        return Math.max(0, bytes - FREE_HOLD_BYTES);
    }

    /** The Open that started this exchange was also the proxy's last frame (a request without a body). */
    void openedAsLast() {
        synchronized (lock) {
            remoteEnded = true;
        }
    }

    void countReceived(int size) {
        LongConsumer counter = receivedBytes;
        if (counter != null) {
            counter.accept(size);
        }
    }

    /** The shared stream can take more again (after {@link ExchangeMux#awaitReady}). */
    void streamReady() {
        releaseWriter();
    }

    /**
     * Runs the waiting drain handler when the writer may go on (credit and room on the stream, or nothing more can be
     * sent); while only the stream is full, waits for it again.
     */
    private void releaseWriter() {
        Runnable h = null;
        boolean waitForStream;
        synchronized (lock) {
            if (drainHandler != null && (sendClosed || localEnded || canWriteLocked())) {
                h = drainHandler;
                drainHandler = null;
            }
            waitForStream = drainHandler != null && hasCreditLocked() && !mux.isReady();
        }
        if (h != null) {
            h.run();
        } else if (waitForStream) {
            mux.awaitReady(this); // the stream filled again before our turn
        }
    }

    /** Ends this exchange here for {@code e} (also: its stream was lost), delivering it after nothing else. */
    void fail(TunnelException e) {
        stopSending(null);
        synchronized (lock) {
            if (closeDelivered || failure != null) {
                return;
            }
            failure = e;
            pending.clear();
            releaseLocked(held);
        }
        drain();
    }

    // ---------------------------------------------------------------- internals

    /** Payload bytes a frame spends of the window. */
    private static int flowBytes(ExchangeFrame f) {
        return switch (f.getFrameCase()) {
            case DATA -> f.getData().getPayload().size();
            case WS -> f.getWs().getPayload().size();
            case RESPONSE_HEAD -> f.getResponseHead().hasBody() ? f.getResponseHead().getBody().getPayload().size() : 0;
            default -> 0;
        };
    }

    private boolean enqueue(ExchangeFrame f) {
        synchronized (lock) {
            if (localEnded || sendClosed) {
                return false;
            }
            return enqueueLocked(f);
        }
    }

    /** Under lock: writes {@code f} now when credit allows and nothing waits before it, else queues it. */
    private boolean enqueueLocked(ExchangeFrame f) {
        int cost = flowBytes(f);
        if (!blocked.isEmpty() || cost > 0 && credit <= 0) {
            blocked.addLast(f);
            return true;
        }
        credit -= cost;
        return writeLocked(f);
    }

    private boolean writeLocked(ExchangeFrame f) {
        if (!mux.write(f)) {
            sendClosed = true;
            blocked.clear();
            return false;
        }
        LongConsumer counter = sentBytes;
        if (counter != null) {
            counter.accept(f.getSerializedSize());
        }
        return true;
    }

    private void granted(long bytes) {
        boolean over;
        synchronized (lock) {
            credit += bytes;
            while (!blocked.isEmpty() && !sendClosed && (credit > 0 || flowBytes(blocked.peekFirst()) == 0)) {
                ExchangeFrame f = blocked.pollFirst();
                credit -= flowBytes(f);
                writeLocked(f);
            }
            over = isFinishedLocked();
        }
        forgetIfFinished(over);
        releaseWriter();
    }

    private boolean hasCreditLocked() {
        return blocked.isEmpty() && credit > 0;
    }

    private boolean canWriteLocked() {
        return hasCreditLocked() && mux.isReady();
    }

    /** Under lock: both ends sent their End and ours went out: the stream forgets this exchange. */
    private boolean isFinishedLocked() {
        return localEnded && remoteEnded && blocked.isEmpty();
    }

    /** Outside the lock, with what {@link #isFinishedLocked()} said under it: the stream forgets a finished exchange. */
    private void forgetIfFinished(boolean finished) {
        if (finished) {
            mux.remove(this);
        }
    }

    /**
     * Nothing more goes out; {@code last} (a Cancel or Reset) goes first if this end could still send. A writer
     * waiting for room is let go: its next send returns false.
     */
    private void stopSending(ExchangeFrame last) {
        Runnable h;
        synchronized (lock) {
            if (!sendClosed) {
                blocked.clear();
                if (last != null) {
                    mux.write(last);
                }
                sendClosed = true;
            }
            h = drainHandler;
            drainHandler = null;
        }
        mux.remove(this);
        if (h != null) {
            h.run();
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
            int grant = 0;
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
                if (item instanceof ExchangeFrame f) {
                    handedOnUngranted += flowBytes(f);
                    if (handedOnUngranted >= GRANT_BYTES && !remoteEnded && !sendClosed) {
                        grant = (int) handedOnUngranted;
                        receivedUngranted -= grant;
                        handedOnUngranted = 0;
                    }
                }
            }
            if (grant > 0) {
                mux.write(ExchangeFrame.newBuilder().setId(id).setWindow(Window.newBuilder().setBytes(grant)).build());
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
            ExchangeFrame f = pending.pollFirst();
            int cost = flowBytes(f);
            if (cost > 0) {
                releaseLocked(cost);
                lastTakenNanos = System.nanoTime();
            }
            return f;
        }
        // The agent hears of the end only once its own side is done too: until then a Cancel from the proxy must
        // still reach its listener (a client gone mid-download closes the upstream). The proxy hears at once.
        if (pending.isEmpty() && remoteEnded
                && (mux.side() == Side.PROXY || localEnded || sendClosed || remoteEndError != null)) {
            closeDelivered = true;
            terminal = remoteEndError == null ? END : remoteEndError;
            return terminal;
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
            LOG.warn("exchange {} with {}: listener failed; dropping the exchange", id, peer(), e);
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
}
