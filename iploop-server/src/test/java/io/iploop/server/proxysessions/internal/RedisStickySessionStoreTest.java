package io.iploop.server.proxysessions.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.StickySessionStore.StoredPin;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The value format of the Redis sticky-session store (docs/sticky-sessions-redis.md#keys-and-values). */
class RedisStickySessionStoreTest {

    private final UUID user = UUID.randomUUID();
    private final UUID node = UUID.randomUUID();
    private final Instant pinned = Instant.parse("2026-12-03T13:00:00.123Z");

    @Test
    void aPinReadsBackAsWrittenWithOrWithoutTargeting() {
        for (String targeting : new String[] {"", "country-DE-city-berlin", "asn-3320"}) {
            StoredPin pin = new StoredPin(user, "abc_123", node, targeting, pinned, pinned.plus(Duration.ofMinutes(30)),
                    Duration.ofMinutes(30));
            String value = RedisStickySessionStore.encode(pin);
            assertThat(value).startsWith("1 " + node + " " + pinned.toEpochMilli() + " ");
            assertThat(RedisStickySessionStore.decode(user, "abc_123", value)).isEqualTo(pin);
        }
    }

    @Test
    void aValueInAnotherFormatIsNotRead() {
        assertThat(RedisStickySessionStore.decode(user, "s", "2 " + node + " 1 2 3 ")).isNull();
        assertThat(RedisStickySessionStore.decode(user, "s", "1 not-a-uuid 1 2 3 ")).isNull();
        assertThat(RedisStickySessionStore.decode(user, "s", "1 " + node + " 1 2")).isNull();
        assertThat(RedisStickySessionStore.decode(user, "s", "1 " + node + " x 2 3 ")).isNull();
        assertThat(RedisStickySessionStore.decode(user, "s", "")).isNull();
    }

    @Test
    void globCharactersOfThePrefixAreEscapedForScan() {
        assertThat(RedisStickySessionStore.glob("iploop:")).isEqualTo("iploop:");
        assertThat(RedisStickySessionStore.glob("a*b?[c]\\")).isEqualTo("a\\*b\\?\\[c\\]\\\\");
    }
}
