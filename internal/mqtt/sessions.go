package mqtt

import "strings"

// purgeSessions forgets the sessions (subscriptions, queued messages) the
// broker keeps for a device's client ids, connected or not (device ""
// means every device of the product), so that revoked credentials leave
// nothing behind that the next connection with that client id would
// inherit. It returns how many sessions it dropped.
func (b *Broker) purgeSessions(product, device string) int {
	n := 0
	for id, cl := range b.srv.Clients.GetAll() {
		if cl.Net.Inline || !ownedBy(string(cl.Properties.Username), product, device) {
			continue
		}
		cl.Stop(errRevoked)
		b.srv.UnsubscribeClient(cl)
		cl.ClearInflights()
		// A new connection may have taken the id over since GetAll: keep it.
		if cur, ok := b.srv.Clients.Get(id); ok && cur == cl {
			b.srv.Clients.Delete(id)
		}
		n++
	}
	return n
}

// ownedBy reports whether a client's username is device's, or any device's
// of product when device is "".
func ownedBy(username, product, device string) bool {
	if device != "" {
		return username == product+"/"+device
	}
	return strings.HasPrefix(username, product+"/")
}
