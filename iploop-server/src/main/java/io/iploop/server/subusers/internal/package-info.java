/** Implementation of the sub-users feature: its tables' SQL, REST controller, gateway SPI and jobs. */
@NullMarked
package io.iploop.server.subusers.internal;

import org.jspecify.annotations.NullMarked;
