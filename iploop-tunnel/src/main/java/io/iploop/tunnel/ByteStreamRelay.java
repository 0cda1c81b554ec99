package io.iploop.tunnel;

import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * Relays bytes between a Netty {@link Channel} (a customer or origin socket) and a
 * {@link ByteStream}, with back-pressure both ways: the channel is read only while the stream is
 * writable, and received stream data is acknowledged only once the channel has written it. The
 * channel must have {@code AUTO_READ=false}. Either side closing closes the other after pending
 * data is flushed.
 */
public final class ByteStreamRelay {

    /** Observes a relay, e.g. to meter it. Callbacks may run on either side's thread. */
    public interface Listener {
        /** The relay ended; {@code error} is null for a clean close by either side. */
        void onRelayClosed(@Nullable String error);
    }

    private ByteStreamRelay() {}

    /** Starts relaying; takes ownership of both ends (closing one closes the other). */
    public static void relay(Channel channel, ByteStream stream, @Nullable Listener listener) {
        throw new UnsupportedOperationException("in progress");
    }
}
