package io.iploop.server.platform;

import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link PersonalData} writes its files of a data export (docs/privacy.md#export): each call
 * adds one file under the feature's folder of the ZIP, written straight to the response, so a file
 * is never held whole in memory. Not thread-safe: one export runs on one thread.
 */
public interface PersonalDataExport {

    /**
     * Adds {@code name} (e.g. {@code api-keys.json}) holding {@code value} as JSON (records, lists,
     * maps; instants as ISO-8601).
     */
    void json(String name, Object value);

    /**
     * Adds {@code name} (e.g. {@code requests.csv}) as RFC 4180 CSV with {@code header}; {@code rows}
     * is called once and adds the lines, which may be streamed from a database cursor.
     */
    void csv(String name, List<String> header, Consumer<CsvRows> rows);

    /** Adds {@code name} with raw bytes (a PDF). */
    void bytes(String name, byte[] content);

    /** Lines of one CSV file. Not thread-safe. */
    interface CsvRows {

        /** One line; null is an empty field, other values their {@code toString()}. */
        void row(@Nullable Object... values);
    }
}
