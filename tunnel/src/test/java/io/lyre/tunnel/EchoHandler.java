package io.lyre.tunnel;

import com.google.protobuf.ByteString;
import io.lyre.tunnel.client.TunnelClient;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.Open;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test agent's exchange handler with no upstream: "/echo" sends the request body back, "/generate/N"
 * produces N bytes as fast as flow control lets it, "/oversized" answers with one frame over the limit.
 */
final class EchoHandler implements TunnelClient.ExchangeHandler {

    final ConcurrentHashMap<String, AtomicLong> generated = new ConcurrentHashMap<>();
    final CountDownLatch cancelled = new CountDownLatch(1);
    final CountDownLatch closedWithError = new CountDownLatch(1);
    private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "echo-pump");
        t.setDaemon(true);
        return t;
    });

    @Override
    public void open(Open open, Exchange ex) {
        String path = open.getPath();
        if (path.startsWith("/generate/")) {
            long total = Long.parseLong(path.substring("/generate/".length()));
            AtomicLong sent = generated.computeIfAbsent(open.getHeadersList().isEmpty() ? path
                    : open.getHeaders(0).getValue(), k -> new AtomicLong());
            ex.listener(watcher(ex));
            ex.send(Frames.head(200, List.of()));
            ByteString chunk = ByteString.copyFrom(new byte[TunnelProtocol.MAX_CHUNK_BYTES]);
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (sent.get() < total && !ex.isClosed()) {
                    if (ex.writeQueueFull()) {
                        ex.drainHandler(() -> pumps.execute(pump[0]));
                        return;
                    }
                    int n = (int) Math.min(chunk.size(), total - sent.get());
                    ex.sendData(chunk.substring(0, n), false);
                    sent.addAndGet(n);
                }
                if (sent.get() >= total) {
                    ex.end();
                }
            };
            pumps.execute(pump[0]);
            return;
        }
        if (path.equals("/small")) { // head, body and end in one message (protocol 2)
            ex.listener(watcher(ex));
            ex.sendLast(Frames.headWithBody(203, List.of(Frames.header("x-path", path)), ByteString.copyFromUtf8("in one message")));
            return;
        }
        if (path.equals("/oversized")) {
            ex.listener(watcher(ex));
            ex.send(Frames.head(200, List.of()));
            ex.send(Frames.data(ByteString.copyFrom(new byte[2 * 1024 * 1024]), false));
            return;
        }
        ex.listener(new ExchangeListener() {
            @Override
            public void onFrame(ExchangeFrame f) {
                switch (f.getFrameCase()) {
                    case DATA -> {
                        ex.sendData(f.getData().getPayload(), f.getData().getEndOfStream());
                        if (f.getData().getEndOfStream()) {
                            ex.complete();
                        } else if (ex.writeQueueFull()) {
                            ex.pause();
                            ex.drainHandler(ex::resume);
                        }
                    }
                    case CANCEL -> cancelled.countDown();
                    default -> { }
                }
            }

            @Override
            public void onClosed(TunnelException error) {
                if (error != null) {
                    closedWithError.countDown();
                }
            }
        });
        ex.send(Frames.head(200, List.of(Frames.header("x-path", path))));
        if (!open.getHasBody()) {
            ex.end();
        }
    }

    private ExchangeListener watcher(Exchange ex) {
        return new ExchangeListener() {
            @Override
            public void onFrame(ExchangeFrame f) {
                if (f.getFrameCase() == ExchangeFrame.FrameCase.CANCEL) {
                    cancelled.countDown();
                }
            }

            @Override
            public void onClosed(TunnelException error) {
                if (error != null) {
                    closedWithError.countDown();
                }
            }
        };
    }
}
