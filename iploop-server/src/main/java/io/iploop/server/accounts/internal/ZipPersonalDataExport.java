package io.iploop.server.accounts.internal;

import io.iploop.server.platform.PersonalDataExport;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PGobject;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link PersonalDataExport} writing ZIP entries straight to a stream (docs/privacy.md#export):
 * {@code <folder>/<name>}, JSON pretty-printed, CSV as RFC 4180 via Commons CSV. JDBC values in maps
 * and lists ({@link Timestamp}, {@link PGobject}) become ISO-8601 instants, JSON trees ({@code jsonb}) and text. Not
 * thread-safe: one instance per export.
 */
final class ZipPersonalDataExport implements PersonalDataExport {

    private final ZipOutputStream zip;
    private final JsonMapper json;
    private final Set<String> names = new HashSet<>();
    private String folder = "";

    ZipPersonalDataExport(OutputStream out, JsonMapper json) {
        this.zip = new ZipOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush(); // the response stream is closed by the container
            }
        }, StandardCharsets.UTF_8);
        this.json = json;
    }

    /** Files added from now on go into {@code name/}. */
    void folder(String name) {
        this.folder = name.isEmpty() ? "" : name + "/";
    }

    @Override
    public void json(String name, Object value) {
        try (OutputStream entry = open(name)) {
            json.writerWithDefaultPrettyPrinter().writeValue(entry, plain(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void csv(String name, List<String> header, Consumer<CsvRows> rows) {
        try (Writer w = new OutputStreamWriter(open(name), StandardCharsets.UTF_8);
                CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get().print(w)) {
            rows.accept((@Nullable Object... values) -> {
                try {
                    List<String> line = new ArrayList<>(values.length);
                    for (@Nullable Object v : values) {
                        Object p = plain(v);
                        line.add(p == null ? "" : p instanceof BigDecimal d ? d.toPlainString() : p.toString());
                    }
                    csv.printRecord(line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void bytes(String name, byte[] content) {
        try (OutputStream entry = open(name)) {
            entry.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the ZIP (central directory); the underlying stream stays open. */
    void finish() {
        try {
            zip.finish();
            zip.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new entry; closing the returned stream closes the entry, not the ZIP. */
    private OutputStream open(String name) throws IOException {
        String path = folder + name;
        if (!names.add(path)) {
            throw new IllegalStateException("export file written twice: " + path);
        }
        zip.putNextEntry(new ZipEntry(path));
        return new FilterOutputStream(zip) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                zip.closeEntry();
            }
        };
    }

    /** JDBC values to JSON-friendly ones, recursively through maps and lists. */
    @Nullable Object plain(@Nullable Object value) {
        return switch (value) {
            case null -> null;
            case Timestamp t -> t.toInstant();
            case java.sql.Date d -> d.toLocalDate();
            case PGobject o when o.getValue() != null && ("jsonb".equals(o.getType()) || "json".equals(o.getType()))
                    -> json.readTree(o.getValue());
            case PGobject o -> o.getValue();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(k, plain(v)));
                yield out;
            }
            case List<?> l -> l.stream().map(this::plain).toList();
            case java.sql.Array a -> {
                try {
                    yield java.util.Arrays.asList((Object[]) a.getArray()).stream().map(this::plain).toList();
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            default -> value;
        };
    }
}
