package io.lyre.proxy.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExchangeBodyTest {

    Vertx vertx;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Runs {@code body} on a fresh context and waits for the stream's end; returns what the handler saw. */
    private List<String> run(java.util.function.BiConsumer<Context, ExchangeBody> body, boolean pausedAtFirst) throws Exception {
        Context ctx = vertx.getOrCreateContext();
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            ExchangeBody b = new ExchangeBody(ctx);
            b.handler(buf -> seen.add(buf.toString()));
            b.endHandler(x -> ended.complete(null));
            if (pausedAtFirst) {
                b.pause();
            }
            body.accept(ctx, b);
        });
        ended.get(10, TimeUnit.SECONDS);
        return seen;
    }

    @Test
    void chunksThatComeInOneTurnGoOnAsOneBuffer() throws Exception {
        List<String> seen = run((ctx, b) -> {
            b.push(Buffer.buffer("a"));
            b.push(Buffer.buffer("b"));
            b.push(Buffer.buffer("c"));
            ctx.runOnContext(v -> {
                b.push(Buffer.buffer("d"));
                ctx.runOnContext(w -> b.end(null));
            });
        }, false);
        assertThat(seen).containsExactly("abc", "d");
    }

    @Test
    void theEndHandsOnWhatWaitsBeforeIt() throws Exception {
        List<String> seen = run((ctx, b) -> {
            b.push(Buffer.buffer("x"));
            b.push(Buffer.buffer("y"));
            b.end(null);
        }, false);
        assertThat(seen).containsExactly("xy");
    }

    @Test
    void nothingGoesOnWhilePausedAndAllOfItAfter() throws Exception {
        List<String> seen = run((ctx, b) -> {
            b.push(Buffer.buffer("1"));
            b.push(Buffer.buffer("2"));
            b.end(null);
            vertx.setTimer(100, id -> b.resume());
        }, true);
        assertThat(seen).containsExactly("12");
    }
}
