package io.iploop.server.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How {@code iploop admin} reaches the running server on the same machine: the server writes a
 * random token and its HTTP port to {@code DATA_DIR/secrets/local-admin} (mode 600, rewritten at
 * every start, removed at shutdown); the command reads it and calls {@value #PATH}{@code /**} on
 * loopback with the token in {@value #TOKEN_HEADER}. Whoever can read the data directory may change
 * plans and balances, exactly as whoever can read its {@code secrets} may forge tokens. Immutable.
 *
 * @param port the server's HTTP port, 1-65535
 * @param token the random token (32 base32 characters, 160 bits)
 */
public record LocalAdminAccess(int port, String token) {

    /** Base path of the local admin endpoints. */
    public static final String PATH = "/api/local-admin";
    /** Request header carrying the token. */
    public static final String TOKEN_HEADER = "X-IPLoop-Local-Admin";

    public LocalAdminAccess {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (token.isBlank()) {
            throw new IllegalArgumentException("token: blank");
        }
    }

    /** The file in {@code dataDir} that holds the access. */
    public static Path file(Path dataDir) {
        return dataDir.resolve("secrets").resolve("local-admin");
    }

    /** The file's content. */
    public String format() {
        return "# iploop admin: local access to the running server (rewritten at each start; keep private)\n"
                + "port=" + port + "\ntoken=" + token + "\n";
    }

    /**
     * Reads the access from {@link #file(Path) file(dataDir)}.
     *
     * @throws NoSuchFileException when the server never ran with this data directory or has stopped
     * @throws IOException when the file cannot be read or is malformed (the message names the file)
     */
    public static LocalAdminAccess read(Path dataDir) throws IOException {
        Path file = file(dataDir);
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        String port = p.getProperty("port", "");
        String token = p.getProperty("token", "");
        try {
            return new LocalAdminAccess(Integer.parseInt(port.strip()), token.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": malformed (" + e.getMessage() + "); restart the server to rewrite it", e);
        }
    }
}
