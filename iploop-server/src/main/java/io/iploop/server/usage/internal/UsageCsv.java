package io.iploop.server.usage.internal;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes analytics rows (records) as RFC 4180 CSV: a header of the record's component names in
 * snake case, one line per row; null is an empty field, numbers are plain, instants ISO-8601 UTC.
 * Stateless.
 */
final class UsageCsv {

    private UsageCsv() {}

    /**
     * CSV of {@code rows}, all of type {@code type}.
     *
     * @param renames header names to use instead of a component's snake-case name
     */
    static <R extends Record> String write(Class<R> type, List<? extends R> rows, Map<String, String> renames) {
        RecordComponent[] components = type.getRecordComponents();
        List<String> header = new ArrayList<>(components.length);
        for (RecordComponent c : components) {
            String name = snake(c.getName());
            header.add(renames.getOrDefault(name, name));
        }
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get().print(out)) {
            for (R row : rows) {
                List<String> values = new ArrayList<>(components.length);
                for (RecordComponent c : components) {
                    Object v = c.getAccessor().invoke(row);
                    values.add(v == null ? "" : v instanceof BigDecimal d ? d.toPlainString() : v.toString());
                }
                csv.printRecord(values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("reading " + type.getSimpleName(), e);
        }
        return out.toString();
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
