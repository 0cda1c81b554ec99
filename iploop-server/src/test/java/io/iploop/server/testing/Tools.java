package io.iploop.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outside programs for the tests that run what a customer would run (RecipesIT, BrowserRecipesIT,
 * GeneratedClientsIT): code cut out of a Markdown page, Debian's Python 3 with the packages the
 * recipes import, Debian's Go, Node with the packages of {@code src/test/node} (installed by {@code
 * npm ci}), Debian's Chromium and chromedriver, and a subprocess runner that keeps standard output
 * as bytes.
 *
 * <p>Like {@link Browser}, a missing Debian package is installed with apt-get when running as root,
 * otherwise the test fails naming it: never skips. Python is {@code /usr/bin/python3} on purpose: a
 * {@code python3} earlier on the PATH (pyenv) does not see Debian's packages. Thread-safe (the
 * installers are synchronized).
 */
public final class Tools {

    /** Debian's Python, which sees the python3-* packages. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Where {@link #nodeModules()} installs {@code src/test/node}. */
    static final Path NODE_DIR = Path.of("target", "node").toAbsolutePath();
    /** Debian's Go toolchain (package golang-go). */
    public static final Path GO = Path.of("/usr/bin/go");

    private static final Pattern FENCE = Pattern.compile("(?m)^```[a-z]*\\n(.*?)^```$", Pattern.DOTALL);

    private Tools() {
    }

    /** A finished subprocess: its exit code, standard output unchanged, standard error as text. */
    public record Run(int exitCode, byte[] stdout, String stderr) {

        /** Standard output as UTF-8 text. */
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout (" + stdout.length + " bytes) ---\n"
                    + new String(stdout, 0, Math.min(stdout.length, 2000), StandardCharsets.UTF_8) + "\n--- stderr ---\n" + stderr;
        }
    }

    /**
     * The fenced code block of {@code markdown} whose first line contains {@code recipe: NAME}
     * followed by a space, a newline or the end of the line.
     *
     * @throws AssertionError when there is none or more than one, naming the page
     */
    public static String recipe(Path markdown, String name) {
        String page;
        try {
            page = Files.readString(markdown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Pattern marker = Pattern.compile("recipe: " + Pattern.quote(name) + "(\\s|$)");
        List<String> found = new ArrayList<>();
        Matcher m = FENCE.matcher(page);
        while (m.find()) {
            String block = m.group(1);
            String first = block.lines().findFirst().orElse("");
            if (marker.matcher(first).find()) {
                found.add(block);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError(markdown + ": expected one code block marked 'recipe: " + name + "', found " + found.size());
        }
        return found.getFirst();
    }

    /**
     * {@link #recipe} written to {@code file}, for tools that run a file by its name or extension
     * ({@code go run x.go}, {@code scrapy runspider x.py}).
     *
     * @return {@code file}
     */
    public static Path recipeFile(Path markdown, String name, Path file) {
        try {
            return Files.writeString(file, recipe(markdown, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's root directory (the parent of the server module the tests run in). */
    public static Path repositoryRoot() {
        Path module = Path.of("").toAbsolutePath();
        return Files.isDirectory(module.resolve("docs")) ? module : module.getParent();
    }

    /**
     * Runs {@code command} in {@code dir} with {@code env} added to an environment without the
     * caller's proxy settings (an {@code HTTP_PROXY} or {@code NO_PROXY} of the machine must not
     * decide where a recipe's requests go), and waits for it.
     *
     * @throws AssertionError when it has not ended within {@code timeout} (it is killed)
     */
    public static Run run(Path dir, Map<String, String> env, Duration timeout, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + "; stderr so far:\n"
                        + new String(err.getNow(new byte[0]), StandardCharsets.UTF_8));
            }
            return new Run(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, Thread::startVirtualThread);
    }

    /**
     * {@link #PYTHON}, after making sure it can import {@code modules}; a missing module is installed
     * from the Debian package {@code python3-<module>} as root, else the test fails naming it.
     */
    public static synchronized Path python(String... modules) {
        List<String> missing = Arrays.stream(modules)
                .filter(mod -> !Files.isExecutable(PYTHON) || run(Path.of("."), Map.of(), Duration.ofSeconds(30),
                        PYTHON.toString(), "-c", "import " + mod).exitCode() != 0)
                .map(mod -> "python3-" + mod)
                .toList();
        if (!missing.isEmpty()) {
            aptInstall(missing);
            for (String mod : modules) {
                Run r = run(Path.of("."), Map.of(), Duration.ofSeconds(30), PYTHON.toString(), "-c", "import " + mod);
                assertThat(r.exitCode()).as("import %s with %s after apt-get install: %s", mod, PYTHON, r).isZero();
            }
        }
        return PYTHON;
    }

    /**
     * The {@code node_modules} of {@code src/test/node}: its package.json and package-lock.json are
     * copied to {@code target/node} and installed there with {@code npm ci} (the registry, or npm's
     * cache), once per lock file. Needs {@code node} and {@code npm} on the PATH (Debian's
     * {@code nodejs} and {@code npm} are installed as root when missing).
     */
    public static synchronized Path nodeModules() {
        if (!onPath("node") || !onPath("npm")) {
            aptInstall(List.of("nodejs", "npm"));
        }
        try {
            Path src = Path.of("src", "test", "node");
            Files.createDirectories(NODE_DIR);
            byte[] lock = Files.readAllBytes(src.resolve("package-lock.json"));
            Path installedLock = NODE_DIR.resolve("node_modules").resolve(".package-lock.json.installed");
            if (Files.exists(installedLock) && Arrays.equals(Files.readAllBytes(installedLock), lock)) {
                return NODE_DIR.resolve("node_modules");
            }
            Files.copy(src.resolve("package.json"), NODE_DIR.resolve("package.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.write(NODE_DIR.resolve("package-lock.json"), lock);
            Run r = run(NODE_DIR, Map.of(), Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
            assertThat(r.exitCode()).as("npm ci in %s: %s", NODE_DIR, r).isZero();
            Files.write(installedLock, lock);
            return NODE_DIR.resolve("node_modules");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Debian's Go ({@code /usr/bin/go}, package {@code golang-go}, installed as root when missing).
     * Run it with {@link #goEnvironment}.
     */
    public static synchronized Path go() {
        if (!Files.isExecutable(GO)) {
            aptInstall(List.of("golang-go"));
        }
        return GO;
    }

    /**
     * The environment for {@code go run} of a single file on a fresh machine, as root too: build
     * cache and GOPATH in {@code dir} (no HOME needed), no module downloads ({@code GOPROXY=off}:
     * the recipes use the standard library only), no toolchain switch, no inherited GOFLAGS.
     */
    public static Map<String, String> goEnvironment(Path dir) {
        return Map.of("GOCACHE", dir.resolve("go-cache").toString(), "GOPATH", dir.resolve("go-path").toString(),
                "GOPROXY", "off", "GOFLAGS", "", "GOTOOLCHAIN", "local", "GO111MODULE", "", "CGO_ENABLED", "0");
    }

    /** Debian's Chromium for the browser recipes ({@code /usr/bin/chromium}; installed like {@link Browser} does). */
    public static Path chromium() {
        Browser.ensureChromium();
        return Browser.CHROMIUM;
    }

    /** Debian's chromedriver ({@code /usr/bin/chromedriver}; installed like {@link Browser} does). */
    public static Path chromedriver() {
        Browser.ensureChromium();
        return Browser.CHROMEDRIVER;
    }

    /**
     * The test class path as a {@code -cp} argument, for a recipe that runs with the project's test
     * dependencies (Selenium): failsafe's forked JVM starts from a manifest-only jar, so {@code
     * java.class.path} alone would name just that jar.
     */
    public static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** {@code certificate} as a PEM file in {@code dir}, for curl, Python and Node. */
    public static Path pem(X509Certificate certificate, Path dir) {
        try {
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded());
            return Files.writeString(dir.resolve("origin.pem"), "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS12 trust store in {@code dir} with {@code certificate} only (password "changeit"), for the JDK. */
    public static Path trustStore(X509Certificate certificate, Path dir) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("origin", certificate);
            Path file = dir.resolve("trust.p12");
            try (var out = Files.newOutputStream(file)) {
                ks.store(out, "changeit".toCharArray());
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes sure {@code program} is on the PATH: installs Debian's {@code debianPackage} with apt-get
     * when running as root, otherwise fails naming the package (never skips).
     */
    public static synchronized void program(String program, String debianPackage) {
        if (!onPath(program)) {
            aptInstall(List.of(debianPackage));
        }
        if (!onPath(program)) {
            throw new AssertionError(program + " is not on the PATH after installing " + debianPackage);
        }
    }

    private static boolean onPath(String program) {
        return run(Path.of("."), Map.of(), Duration.ofSeconds(10), "sh", "-c", "command -v " + program).exitCode() == 0;
    }

    private static void aptInstall(List<String> packages) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new AssertionError("This test needs the Debian packages " + packages + ": apt-get install -y " + String.join(" ", packages));
        }
        for (List<String> cmd : List.of(List.of("apt-get", "update", "-q"), concat(List.of("apt-get", "install", "-y", "-q"), packages))) {
            Run r = run(Path.of("."), Map.of("DEBIAN_FRONTEND", "noninteractive"), Duration.ofMinutes(10), cmd.toArray(String[]::new));
            if (r.exitCode() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed; install " + packages + " by hand: " + r);
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
