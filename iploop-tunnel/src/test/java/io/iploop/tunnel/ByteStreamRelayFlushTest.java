package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ByteStreamRelay}'s writes to the socket: one flush per burst of stream data when the
 * stream announces the burst's end ({@link ByteStream#signalsDataBurstEnd()}), one per chunk
 * otherwise; a chunk is acknowledged only once it was written either way.
 */
class ByteStreamRelayFlushTest {

    /** A stream whose handler the test drives directly. */
    private static final class FakeStream implements ByteStream {
        final boolean signalsBurstEnd;
        @Nullable Handler handler;
        long acked;

        FakeStream(boolean signalsBurstEnd) {
            this.signalsBurstEnd = signalsBurstEnd;
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void write(ByteBuf data) {
            data.release();
        }

        @Override
        public void ack(int bytes) {
            acked += bytes;
        }

        @Override
        public void setHandler(Handler h) {
            handler = h;
        }

        @Override
        public void close() {}

        @Override
        public void abort(String reason) {}

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public boolean signalsDataBurstEnd() {
            return signalsBurstEnd;
        }
    }

    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private FakeStream relay(boolean signalsBurstEnd) {
        channel = new EmbeddedChannel();
        channel.config().setOption(ChannelOption.AUTO_READ, false);
        FakeStream stream = new FakeStream(signalsBurstEnd);
        ByteStreamRelay.relay(channel, stream, null);
        return stream;
    }

    private static ByteBuf chunk(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void aBurstIsFlushedOnceAtItsEnd() {
        FakeStream stream = relay(true);
        stream.handler.onData(stream, chunk("one"));
        stream.handler.onData(stream, chunk("two"));
        stream.handler.onData(stream, chunk("three"));
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(stream.acked).isZero();

        stream.handler.onDataBurstEnd(stream);

        assertThat(channel.outboundMessages()).hasSize(3);
        assertThat(stream.acked).isEqualTo(11);
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; b.release()) {
            out.append(b.toString(StandardCharsets.US_ASCII));
        }
        assertThat(out).hasToString("onetwothree");
    }

    @Test
    void aStreamWithoutBurstEndsIsFlushedPerChunk() {
        FakeStream stream = relay(false);
        stream.handler.onData(stream, chunk("one"));
        assertThat(channel.outboundMessages()).hasSize(1);
        assertThat(stream.acked).isEqualTo(3);
    }

    @Test
    void theEndOfTheStreamFlushesWhatABurstLeftUnflushed() {
        FakeStream stream = relay(true);
        stream.handler.onData(stream, chunk("last"));
        stream.handler.onInputShutdown(stream);
        assertThat(channel.outboundMessages()).isNotEmpty();
        assertThat(stream.acked).isEqualTo(4);
    }
}
