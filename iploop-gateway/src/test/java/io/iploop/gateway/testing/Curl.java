package io.iploop.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code curl} and reports what it saw: exit code, HTTP status, the byte counts
 * curl itself measured, the response headers and the body (in a temp file). Stateless.
 */
public final class Curl {

    private static final String WRITE_OUT =
            "%{http_code} %{size_header} %{size_download} %{size_request} %{size_upload} %{time_starttransfer} %{time_total}";

    private Curl() {}

    /**
     * What one curl run produced.
     *
     * @param sizeHeader response header bytes curl received
     * @param sizeDownload body bytes curl received
     * @param sizeRequest request header bytes curl sent
     * @param sizeUpload body bytes curl sent
     * @param headers lower-case response header names to their last value
     * @param secondsToFirstByte from the start until the first response byte arrived, seconds
     * @param secondsTotal the whole transfer, seconds
     */
    public record Result(int exitCode, int status, long sizeHeader, long sizeDownload, long sizeRequest, long sizeUpload,
            Map<String, String> headers, Path body, String stderr, double secondsToFirstByte, double secondsTotal) {

        /** The body as bytes. */
        public byte[] bodyBytes() throws IOException {
            return Files.readAllBytes(body);
        }

        /** The body as UTF-8 text. */
        public String bodyText() throws IOException {
            return Files.readString(body, StandardCharsets.UTF_8);
        }

        /** A response header (case-insensitive), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Runs {@code curl -sS <args>} with a 120 s limit. */
    public static Result run(String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("iploop-curl");
        Path body = dir.resolve("body");
        Path headers = dir.resolve("headers");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "120", "-o", body.toString(),
                "-D", headers.toString(), "-w", WRITE_OUT));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(130, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("curl did not finish: " + cmd);
        }
        String[] w = out.split(" ");
        Map<String, String> hs = new HashMap<>();
        if (Files.exists(headers)) {
            for (String line : Files.readAllLines(headers, StandardCharsets.ISO_8859_1)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    hs.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
                }
            }
        }
        if (!Files.exists(body)) {
            Files.createFile(body);
        }
        String stderr = Files.readString(dir.resolve("stderr"));
        return new Result(p.exitValue(), w.length > 0 && !w[0].isEmpty() ? Integer.parseInt(w[0]) : 0,
                w.length > 1 ? Long.parseLong(w[1]) : 0, w.length > 2 ? Long.parseLong(w[2]) : 0,
                w.length > 3 ? Long.parseLong(w[3]) : 0, w.length > 4 ? Long.parseLong(w[4]) : 0, hs, body, stderr,
                w.length > 5 ? Double.parseDouble(w[5]) : 0, w.length > 6 ? Double.parseDouble(w[6]) : 0);
    }
}
