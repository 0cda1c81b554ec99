package io.iploop.node.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The agent's configuration directory ({@code $PROXYCLAW_HOME}, default {@code ~/.proxyclaw}):
 * {@code config.properties} (settings and the node key), {@code device-id}, {@code agent.pid},
 * {@code status.properties} and {@code agent.log}. The directory is created {@code 700} and every
 * file {@code 600} where the file system supports POSIX permissions. Writes are atomic (temporary
 * file, then rename), so a reader never sees half a file. Not thread-safe; one command uses it.
 */
final class ConfigDir {

    static final String CONFIG_FILE = "config.properties";
    static final String DEVICE_ID_FILE = "device-id";
    static final String PID_FILE = "agent.pid";
    static final String STATUS_FILE = "status.properties";
    static final String LOG_FILE = "agent.log";

    /** The property that holds the node key in {@code config.properties}. */
    static final String KEY_PROPERTY = "key";

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    ConfigDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /**
     * {@code $PROXYCLAW_HOME} if set, else {@code $HOME/.proxyclaw}, else (no {@code HOME}, e.g.
     * some service managers) the JVM's {@code user.home} + {@code /.proxyclaw}. As documented in
     * docs/node-agent.md, "Configuration".
     */
    static ConfigDir locate(Map<String, String> env) {
        String home = env.get("PROXYCLAW_HOME");
        if (home != null && !home.isBlank()) {
            return new ConfigDir(Path.of(home));
        }
        String userHome = env.get("HOME");
        if (userHome == null || userHome.isBlank()) {
            userHome = System.getProperty("user.home");
        }
        return new ConfigDir(Path.of(userHome, ".proxyclaw"));
    }

    /**
     * Replaces the device id with a new random one (the login and settings stay).
     *
     * @return the new id
     */
    String resetDeviceId() {
        delete(DEVICE_ID_FILE);
        return deviceId();
    }

    /**
     * The log file, created {@code 600} if missing and narrowed to {@code 600} if an older
     * version left it readable by others (it names the gateway and the device).
     */
    Path privateLogFile() {
        ensureDir();
        Path log = file(LOG_FILE);
        try {
            if (Files.notExists(log)) {
                createPrivate(log, false);
            } else if (isPosix(log)) {
                Files.setPosixFilePermissions(log, OWNER_ONLY_FILE);
            }
        } catch (FileAlreadyExistsException e) {
            // Created concurrently, fine.
        } catch (IOException e) {
            throw ioFailure(log, e);
        }
        return log;
    }

    Path dir() {
        return dir;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** The stored settings; empty if there is no config file yet. Sorted by name. */
    Map<String, String> readConfig() {
        return readProperties(file(CONFIG_FILE));
    }

    /** Replaces the stored settings. */
    void writeConfig(Map<String, String> values) {
        writeProperties(file(CONFIG_FILE), values, "ProxyClaw node agent settings (proxyclaw config set/login/logout)");
    }

    /** The persistent device id, generated once (32 random hex digits). */
    String deviceId() {
        Path f = file(DEVICE_ID_FILE);
        try {
            if (Files.exists(f)) {
                String id = Files.readString(f, StandardCharsets.US_ASCII).strip();
                if (id.matches("[A-Za-z0-9._:-]{1,128}")) {
                    return id;
                }
            }
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String id = HexFormat.of().formatHex(random);
            writeAtomically(f, id + "\n");
            return id;
        } catch (IOException e) {
            throw ioFailure(f, e);
        }
    }

    /** The pid in {@code agent.pid}, empty if there is none or it is unreadable. */
    OptionalLong readPid() {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file(PID_FILE), StandardCharsets.US_ASCII).strip()));
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw ioFailure(file(PID_FILE), e);
        }
    }

    void writePid(long pid) {
        try {
            writeAtomically(file(PID_FILE), pid + "\n");
        } catch (IOException e) {
            throw ioFailure(file(PID_FILE), e);
        }
    }

    /** The running agent, if {@code agent.pid} names a live process. */
    Optional<ProcessHandle> runningAgent() {
        OptionalLong pid = readPid();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive).filter(ConfigDir::looksLikeJava);
    }

    /** Guards against a recycled pid: the process must be a JVM (or unknown, when the OS hides it). */
    private static boolean looksLikeJava(ProcessHandle process) {
        return process.info().command().map(c -> c.contains("java") || c.contains("setsid")).orElse(true);
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw ioFailure(file(name), e);
        }
    }

    Map<String, String> readProperties(Path f) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return new TreeMap<>();
        } catch (IOException e) {
            throw ioFailure(f, e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    void writeProperties(Path f, Map<String, String> values, String comment) {
        Properties p = new Properties();
        p.putAll(values);
        StringWriter text = new StringWriter();
        try {
            p.store(text, comment);
            writeAtomically(f, text.toString());
        } catch (IOException e) {
            throw ioFailure(f, e);
        }
    }

    /** Writes {@code text} to a {@code 600} temporary file in the directory, then renames it over {@code target}. */
    private void writeAtomically(Path target, String text) throws IOException {
        ensureDir();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createPrivate(tmp, false);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Creates the directory ({@code 700}) if needed. */
    void ensureDir() {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Path parent = dir.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            createPrivate(dir, true);
        } catch (FileAlreadyExistsException e) {
            // Created concurrently, fine.
        } catch (IOException e) {
            throw ioFailure(dir, e);
        }
    }

    private static void createPrivate(Path path, boolean directory) throws IOException {
        boolean posix = isPosix(path);
        @Nullable FileAttribute<?> perms = posix
                ? PosixFilePermissions.asFileAttribute(directory ? OWNER_ONLY_DIR : OWNER_ONLY_FILE)
                : null;
        FileAttribute<?>[] attrs = perms == null ? new FileAttribute<?>[0] : new FileAttribute<?>[] {perms};
        if (directory) {
            Files.createDirectory(path, attrs);
        } else {
            Files.createFile(path, attrs);
        }
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static CliException ioFailure(Path f, IOException e) {
        return CliException.runtime("cannot access " + f + ": " + e.getMessage());
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
