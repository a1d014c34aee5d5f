/** Time arithmetic the policy needs: durations, dates, the guest RTC ({@code startdate}, local-time RTCs). */
package io.timeshift.host.time;
