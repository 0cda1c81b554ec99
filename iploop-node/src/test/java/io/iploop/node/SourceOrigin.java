package io.iploop.node;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.Random;

/** An origin that sends {@code size} deterministic bytes as fast as the reader takes them, then closes. */
@Sharable
public final class SourceOrigin extends ChannelInboundHandlerAdapter {
    private static final int CHUNK = 64 * 1024;
    private final byte[] content;

    public SourceOrigin(int size) {
        this.content = content(size);
    }

    public static byte[] content(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.channel().attr(OFFSET).set(new int[] {0});
        pump(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump(ctx);
    }

    /** Re-entrant: a write may fire a writability change, so the offset is advanced before each write. */
    private void pump(ChannelHandlerContext ctx) {
        int[] off = ctx.channel().attr(OFFSET).get();
        if (off == null || off[0] < 0) {
            return;
        }
        while (ctx.channel().isWritable() && off[0] >= 0 && off[0] < content.length) {
            int start = off[0];
            int n = Math.min(CHUNK, content.length - start);
            off[0] = start + n;
            ctx.write(Unpooled.wrappedBuffer(content, start, n));
        }
        if (off[0] >= content.length) {
            off[0] = -1;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.flush();
        }
    }

    private static final AttributeKey<int[]> OFFSET = AttributeKey.valueOf("source-offset");
}
