// SecretRegistry.sol: the on-chain record of revealed lock secrets for the channel hub
// (shared/spec/photon.md §2.9). A payee whose partner will not unlock a hashlock off-chain
// registers the secret here before the lock expires; TokensNetwork.unlock then accepts the
// lock only if the secret was registered no later than the lock's expiration block.
//
// Why it is shaped this way:
// - Locks are keyed by sha256(secret), not keccak256 (spec §1, §9): that is what the hub's
//   off-chain messages carry, so a secret registered here matches the lock it opens.
// - The registry stores the block of the first registration and nothing else. Registering a
//   secret twice, or the zero secret, reverts, so the recorded block can never move later
//   (which would let a late reveal pass for an early one) and the event fires once.
// - SecretRevealed carries the secret itself (indexed), so a mediator watching the chain learns
//   the secret and can claim its own incoming lock.
// - TokensNetwork creates its registry in its constructor (spec §2.1) and imports this file for
//   that; this file imports nothing.
// Written for spectrumd from the spec; the ABI (selectors, event topic, getters) is the one
// Photon nodes call. Not derived from Photon's Solidity sources.
pragma solidity 0.5.17;

contract SecretRegistry {
    // Photon nodes require a version starting with "0.6" (spec §2.4).
    string public constant contract_version = "0.6._";

    // sha256(secret) => block number of the registration; 0 = never registered.
    mapping(bytes32 => uint256) public secrethash_to_block; // slot 0

    event SecretRevealed(bytes32 indexed secret);

    // Records block.number for sha256(secret). Reverts for the zero secret and for a secret
    // that is already registered. Returns true.
    function registerSecret(bytes32 secret) public returns (bool) {
        require(secret != bytes32(0), "SecretRegistry: zero secret");
        bytes32 secrethash = sha256(abi.encodePacked(secret));
        require(secrethash_to_block[secrethash] == 0, "SecretRegistry: secret already registered");
        secrethash_to_block[secrethash] = block.number;
        emit SecretRevealed(secret);
        return true;
    }

    // The block in which the secret of `secrethash` (= sha256(secret)) was registered, or 0.
    function getSecretRevealBlockHeight(bytes32 secrethash) public view returns (uint256) {
        return secrethash_to_block[secrethash];
    }
}
