package io.iploop.server.admin.internal;

import io.iploop.server.admin.LocalAdminAccess;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.platform.SecureTokens;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * This process's local admin token: random per start, written with the HTTP port to
 * {@link LocalAdminAccess#file} (mode 600) once the web server listens, removed at shutdown if
 * still ours. Thread-safe.
 */
@Component
class LocalAdminToken {

    private static final Logger log = LoggerFactory.getLogger(LocalAdminToken.class);

    private final String token = SecureTokens.randomBase32(32);
    private final Path file;

    @Autowired
    LocalAdminToken(IploopProperties properties) {
        this(LocalAdminAccess.file(properties.dataPath()));
    }

    /** A token that would be written to {@code file} (tests). */
    LocalAdminToken(Path file) {
        this.file = file;
    }

    @EventListener
    void webServerReady(WebServerInitializedEvent event) {
        // The management server (if ever separate) has its own namespace; the API is on the main one.
        if (event.getApplicationContext().getServerNamespace() != null) {
            return;
        }
        publish(event.getWebServer().getPort());
    }

    /** Writes the token and {@code port} to the file, replacing an earlier start's. */
    void publish(int port) {
        String content = new LocalAdminAccess(port, token).format();
        try {
            PlatformSecrets.createPrivateDirectory(file.getParent());
            Files.deleteIfExists(file);
            PlatformSecrets.writePrivateFile(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the local admin access file " + file, e);
        }
    }

    /**
     * Whether {@code presented} is this token, compared in constant time (the time taken does not
     * tell how many leading characters were right).
     */
    boolean matches(@Nullable String presented) {
        return presented != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    @PreDestroy
    void removeFile() {
        try {
            // Only ours: another server started on the same data directory since has its own.
            if (Files.exists(file) && Files.readString(file).contains("token=" + token + "\n")) {
                Files.delete(file);
            }
        } catch (IOException e) {
            log.warn("could not remove the local admin access file {}: {}", file, e.toString());
        }
    }
}
