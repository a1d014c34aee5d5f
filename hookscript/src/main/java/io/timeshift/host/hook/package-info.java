/**
 * The Proxmox hookscript phases ({@code pre-start}, {@code post-start}, {@code pre-stop}, {@code post-stop}): one
 * fresh JVM per phase, so no lambdas, regex, JCA or Jackson here.
 */
package io.timeshift.host.hook;
