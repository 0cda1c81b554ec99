package io.iploop.server.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Listening ports for servers a test starts in another process, where the test must name the port
 * before the server binds it.
 *
 * <p>A port taken from {@code new ServerSocket(0)} comes from the kernel's ephemeral range: between
 * the test closing it and the server binding it (tens of seconds on a busy 2-core machine), any
 * outgoing connection on the machine may take it as its local port, and the server fails with
 * "Address already in use". Ports below the ephemeral range ({@code net.ipv4.ip_local_port_range})
 * are never handed out to outgoing connections, so only another test picking the same one at random
 * can collide. Thread-safe.
 */
public final class ListenPorts {

    /** Lowest port handed out; below it are well-known services' defaults (PostgreSQL, Redis, ...). */
    static final int LOWEST = 20_000;

    private ListenPorts() {
    }

    /**
     * A loopback TCP port that is free now and outside the ephemeral range (a kernel-chosen one when
     * the range leaves no room below it).
     *
     * @throws IOException if no port can be bound at all
     */
    public static int free() throws IOException {
        int ephemeralLow = ephemeralLow();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; ephemeralLow > LOWEST + 100 && attempt < 50; attempt++) {
            int port = random.nextInt(LOWEST, ephemeralLow);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException inUse) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The low end of Linux's ephemeral port range, or 32768 (Linux's default) when it cannot be read. */
    static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
