package io.iploop.server.earn;

import io.iploop.server.usage.NodeTraffic;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one of an operator's devices carried to one destination host and port on one UTC day, with the
 * categories of the customers whose streams it was (docs/operator-transparency.md#customer-categories):
 * never who the customers were. Immutable.
 *
 * @param day the UTC calendar day the streams started on
 * @param host the destination host (a name or an IP literal), lower case
 * @param port the destination port, or null for records written before ports were recorded
 * @param bytesUp bytes the device sent to the host
 * @param bytesDown bytes the device received from the host
 * @param streams usage records (customer streams and interim records)
 * @param customers distinct customers among those streams: a count, never an identity
 * @param categories the distinct declared use cases of those customers
 *     ({@link io.iploop.server.accounts.UseCases#ALL}, {@code undeclared} for customers without one),
 *     sorted; no per-customer counts
 */
public record DeviceTraffic(LocalDate day, String host, @Nullable Integer port, long bytesUp, long bytesDown, long streams,
        long customers, List<String> categories) {

    public DeviceTraffic {
        categories = List.copyOf(categories);
    }

    /** The usage row with these categories. */
    public static DeviceTraffic of(NodeTraffic t, List<String> categories) {
        return new DeviceTraffic(t.day(), t.host(), t.port(), t.bytesUp(), t.bytesDown(), t.streams(), t.customers(),
                categories);
    }

    /** {@code host:port} ({@code [v6]:port} for an IPv6 literal), or the host alone when the port is unknown. */
    public String destination() {
        return new NodeTraffic(day, host, port, bytesUp, bytesDown, streams, customers).destination();
    }

    /** Both directions, in bytes. */
    public long bytes() {
        return bytesUp + bytesDown;
    }
}
