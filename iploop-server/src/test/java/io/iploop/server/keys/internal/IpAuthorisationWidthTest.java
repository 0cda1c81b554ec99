package io.iploop.server.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.keys.IpAuthorisation;
import io.iploop.server.keys.KeysException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** IP-authorised ranges are at most a /24 of IPv4 or a /48 of IPv6 (docs/ip-authorised-access.md#the-list). */
class IpAuthorisationWidthTest {

    @Test
    void singleAddressesAndNarrowRangesAreAccepted() {
        List<IpAuthorisation> valid = DefaultApiKeysService.validateIpAuthorisations(List.of(
                new IpAuthorisation("203.0.113.7", ""), new IpAuthorisation("198.51.100.0/24", "country-us"),
                new IpAuthorisation("2001:db8:1::/48", "")));
        assertThat(valid).hasSize(3);
    }

    @Test
    void rangesWiderThanTheLimitAreRefusedNamingTheEntry() {
        for (String wide : List.of("0.0.0.0/0", "10.0.0.0/8", "198.51.100.0/23", "::/0", "2001:db8::/32")) {
            assertThatThrownBy(() -> DefaultApiKeysService.validateIpAuthorisations(List.of(
                    new IpAuthorisation("203.0.113.7", ""), new IpAuthorisation(wide, ""))))
                    .as(wide)
                    .isInstanceOfSatisfying(KeysException.class, e -> assertThat(e.getMessage())
                            .startsWith("entries[1].ip:").contains("wider than a /"));
        }
    }
}
