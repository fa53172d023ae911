import type { NotifySocket } from "./NotifySocket.js";
import { SystemdNotifyCommand } from "./SystemdNotifyCommand.js";
import { UnixDgramNotifySocket } from "./UnixDgramNotifySocket.js";

/**
 * The socket `NOTIFY_SOCKET` names: a filesystem path, or an abstract name written `@name`
 * (sd_notify(3)); undefined when the variable is unset or empty (not run by systemd).
 */
export function openNotifySocket(address: string | undefined): NotifySocket | undefined {
  if (address === undefined || address === "") return undefined;
  if (address.startsWith("@")) return new SystemdNotifyCommand(address);
  if (!address.startsWith("/")) {
    throw new Error(`NOTIFY_SOCKET: expected an absolute path or @name, found '${address}'`);
  }
  return new UnixDgramNotifySocket(address);
}
