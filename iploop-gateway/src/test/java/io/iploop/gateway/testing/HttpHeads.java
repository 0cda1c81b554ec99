package io.iploop.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading an HTTP message head off a raw socket in tests. */
public final class HttpHeads {

    private HttpHeads() {}

    /**
     * Reads byte by byte up to and including the blank line that ends the head, so no byte after it
     * (a tunnel's first byte) is consumed; at end of stream returns what was read.
     *
     * @return the head as ISO-8859-1 text, blank line included when it arrived
     */
    public static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0; // how many bytes of CR LF CR LF have been seen in a row
        int c;
        while (state < 4 && (c = in.read()) >= 0) {
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
                    : c == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
