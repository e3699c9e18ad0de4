import CaseworkerCore
import Testing

@Suite struct ScopeTests {
    @Test func parsesEveryNameItLists() {
        for name in Scope.allNames { #expect(Scope(name)?.description == name) }
        for bad in ["", "cases", "cases:", ":read", "cases:delete", "runs:read", "ADMIN", "cases:read:x"] { #expect(Scope(bad) == nil) }
    }

    @Test func adminGrantsEverythingAndWriteIncludesRead() {
        for resource in Scope.Resource.allCases {
            #expect(Scope.admin.grants(.write, on: resource))
        }
        let write = Scope.of(.cases, .write)
        #expect(write.grants(.read, on: .cases))
        #expect(write.grants(.write, on: .cases))
        #expect(!write.grants(.read, on: .workflows))
        let read = Scope.of(.cases, .read)
        #expect(read.grants(.read, on: .cases))
        #expect(!read.grants(.write, on: .cases))
    }
}
