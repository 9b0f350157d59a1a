package io.lyre.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The Netty event loops the tunnel's gRPC transport runs on, when its host has its own: the proxy and the agent
 * pass Vert.x's, so a tunnel message and the HTTP I/O it causes run on the same thread, with no hand-off between
 * them (each hand-off was a wake-up and a context switch per message). Without one, gRPC uses its own loops.
 *
 * @param group the loops; the tunnel's listener (proxy) or connection (agent) takes one of them
 * @param serverChannel the server socket type that matches {@code group}
 * @param channel the socket type that matches {@code group}
 */
public record TransportLoops(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                             Class<? extends Channel> channel) {

    /**
     * The loops of {@code group} (a group, or one loop of it) with the socket types of its transport: epoll (Vert.x
     * with its native transport) or NIO (Vert.x's default). Anything else is refused rather than run on
     * mismatched sockets.
     */
    public static TransportLoops of(EventLoopGroup group) {
        EventLoopGroup kind = group instanceof EventLoop loop && loop.parent() != null ? loop.parent() : group;
        if (kind instanceof EpollEventLoopGroup) {
            return new TransportLoops(group, EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        if (kind instanceof NioEventLoopGroup) {
            return new TransportLoops(group, NioServerSocketChannel.class, NioSocketChannel.class);
        }
        throw new IllegalArgumentException("the tunnel runs on epoll or NIO event loops, not on " + kind.getClass().getName());
    }

    /** How many loops the group has (1 for a single loop). */
    public int size() {
        int n = 0;
        for (var ignored : group) {
            n++;
        }
        return Math.max(1, n);
    }
}
