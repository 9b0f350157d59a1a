package io.lyre.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

class TransportLoopsTest {

    @Test
    void nioLoopsGetNioSocketsForTheGroupAndForOneLoopOfIt() {
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try {
            assertThat(TransportLoops.of(group).serverChannel()).isEqualTo(NioServerSocketChannel.class);
            TransportLoops one = TransportLoops.of(group.next());
            assertThat(one.channel()).isEqualTo(NioSocketChannel.class);
            assertThat(one.group()).isSameAs(group.next());
        } finally {
            group.shutdownGracefully();
        }
    }

    @Test
    void epollLoopsGetEpollSockets() {
        assumeTrue(Epoll.isAvailable(), "no native epoll on this platform");
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        try {
            TransportLoops loops = TransportLoops.of(group.next());
            assertThat(loops.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
            assertThat(loops.channel()).isEqualTo(EpollSocketChannel.class);
        } finally {
            group.shutdownGracefully();
        }
    }

    @Test
    void refusesLoopsWithoutSockets() {
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        try {
            assertThatThrownBy(() -> TransportLoops.of(group)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("epoll or NIO");
        } finally {
            group.shutdownGracefully();
        }
    }
}
