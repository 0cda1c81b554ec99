package io.iploop.gateway.spi;

import java.text.Normalizer;
import org.jspecify.annotations.Nullable;

/**
 * The forms in which targeting matches an exit's location (docs/product/proxy.md#targeting-parameters):
 * the gateway's node selection, the cluster's node directory and the control plane's location lists
 * all compare these, so a name a customer can type matches the name GeoIP or the node reported.
 * Stateless and thread-safe.
 */
public final class LocationKeys {

    private LocationKeys() {}

    /**
     * A state, city or ISP name in matching form: accents removed, lower case, every run of other
     * characters than ASCII letters and digits one {@code _}, none at the ends. So "New York" is
     * {@code new_york}, "Île-de-France" {@code ile_de_france}, "St. Louis" {@code st_louis},
     * "AT&amp;T Services, Inc." {@code at_t_services_inc}: what a customer can write with the
     * letters, digits and {@code _} targeting accepts.
     *
     * @return the key, or null when {@code name} is null or nothing is left (a name in a script
     *     without Latin letters)
     */
    public static @Nullable String name(@Nullable String name) {
        if (name == null) {
            return null;
        }
        String plain = Normalizer.normalize(name, Normalizer.Form.NFD);
        StringBuilder sb = new StringBuilder(plain.length());
        boolean gap = false;
        for (int i = 0; i < plain.length(); i++) {
            char c = Character.toLowerCase(plain.charAt(i));
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (gap && !sb.isEmpty()) {
                    sb.append('_');
                }
                gap = false;
                sb.append(c);
            } else if (Character.getType(c) != Character.NON_SPACING_MARK) {
                gap = true;
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /**
     * A postal code in matching form: ASCII letters and digits only, upper case ({@code sw1a 1aa}
     * is {@code SW1A1AA}).
     *
     * @return the key, or null when {@code code} is null or holds no letter or digit
     */
    public static @Nullable String postalCode(@Nullable String code) {
        if (code == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(code.length());
        for (int i = 0; i < code.length(); i++) {
            char c = Character.toUpperCase(code.charAt(i));
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
