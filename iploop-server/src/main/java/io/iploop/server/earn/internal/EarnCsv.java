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
 * multiplier, total credits) as RFC 4180 CSV, newest period end first, plus every factor that explains
 * each total: the bytes that earned (paid, trial) and did not (unpaid), tier and rate, each multiplier
 * with its input, the carried fractions in and out, and the same in words ({@code explanation}). GB
 * are {@code bytes_per_gb} bytes (10^9; 2^30 for periods credited before GB became decimal) with 6
 * decimals; instants ISO-8601 UTC. Stateless.
 */
final class EarnCsv {

    static final String[] HEADER = {"date", "period_start", "period_end", "device_id", "device", "gb_shared", "bytes",
        "tier", "rate_per_gb_usd", "base_credits", "device_multiplier", "uptime_multiplier", "geo_multiplier",
        "geo_tier", "multiplier", "total_credits", "transaction_id", "paid_bytes", "trial_bytes", "unpaid_bytes",
        "bytes_per_gb", "counted_devices", "geo_country", "trial_multiplier", "carry_in", "carry_out", "explanation"};

    private EarnCsv() {}

    static String write(List<DeviceEarning> rows) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = CSVFormat.RFC4180.builder().setHeader(HEADER).get().print(out)) {
            for (DeviceEarning e : rows) {
                csv.printRecord(e.periodEnd().atZone(ZoneOffset.UTC).toLocalDate(), e.periodStart(), e.periodEnd(),
                        e.deviceId(), e.deviceName() == null ? "" : e.deviceName(),
                        e.gigabytes(e.bytes()).toPlainString(), e.bytes(), e.tier(),
                        e.ratePerGbUsd().toPlainString(), e.baseCredits().toPlainString(),
                        e.deviceMultiplier().toPlainString(), e.uptimeMultiplier().toPlainString(),
                        e.geoMultiplier().toPlainString(), e.geoTier(), e.multiplier().toPlainString(), e.totalCredits(),
                        e.transactionId() == null ? "" : e.transactionId(), e.paidBytes(), e.trialBytes(),
                        e.unpaidBytes(), e.bytesPerGb(), e.countedDevices() == null ? "" : e.countedDevices(),
                        e.geoCountry() == null ? "" : e.geoCountry(), e.trialMultiplier().toPlainString(),
                        e.carryIn().toPlainString(), e.carryOut().toPlainString(), e.explanation());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
