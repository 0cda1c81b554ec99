package io.iploop.server.earn.internal;

import io.iploop.server.earn.DeviceEarning;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The earnings export (the earnings table of docs/product/earn.md#earn-dashboard: date, device, GB shared, base credits,
 * multiplier, total credits) as RFC 4180 CSV, plus the factors that explain each total. GB are 2^30
 * bytes with 6 decimals; instants ISO-8601 UTC. Stateless.
 */
final class EarnCsv {

    static final String[] HEADER = {"date", "period_start", "period_end", "device_id", "device", "gb_shared", "bytes",
        "tier", "rate_per_gb_usd", "base_credits", "device_multiplier", "uptime_multiplier", "geo_multiplier",
        "geo_tier", "multiplier", "total_credits", "transaction_id"};

    private EarnCsv() {}

    static String write(List<DeviceEarning> rows) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader(HEADER).get().print(out)) {
            for (DeviceEarning e : rows) {
                csv.printRecord(e.periodEnd().atZone(ZoneOffset.UTC).toLocalDate(), e.periodStart(), e.periodEnd(),
                        e.deviceId(), e.deviceName() == null ? "" : e.deviceName(),
                        CreditMath.gigabytes(e.bytes()).toPlainString(), e.bytes(), e.tier(),
                        e.ratePerGbUsd().toPlainString(), e.baseCredits().toPlainString(),
                        e.deviceMultiplier().toPlainString(), e.uptimeMultiplier().toPlainString(),
                        e.geoMultiplier().toPlainString(), e.geoTier(), e.multiplier().toPlainString(), e.totalCredits(),
                        e.transactionId() == null ? "" : e.transactionId());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
