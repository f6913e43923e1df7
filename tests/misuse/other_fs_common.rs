// SPDX-License-Identifier: GPL-2.0

// A second file system type, for the programs that give one type's tables to the other's
// inodes: each includes it after common.rs. tools/misuse copies it beside them.

struct OtherFs;

#[vtable]
impl FileSystem for OtherFs {
    type Data = ();
    type INodeData = ();
    type Options = ();
    const NAME: &'static CStr = c"other";
    const PARAMS: param::Table = param::Table::EMPTY;

    fn init_options() -> Result {
        Ok(())
    }

    fn parse_param(_options: &mut (), _param: param::Param<'_>) -> Result {
        Err(EINVAL)
    }

    fn fill_super(_sb: &SuperBlock<Self, sb::New>, _options: &()) -> Result {
        Ok(())
    }

    fn init_root(_sb: &SuperBlock<Self>) -> Result<Root<'_, Self>> {
        Err(EINVAL)
    }
}
